"""Who may see what: roles, each with a scope in the hierarchy.

A person never sees a practitioner outside their scope, not even in a roll-up's child table
or an export. The rules are plain functions over a unit's place in the hierarchy, so the web
pages, exports and API all ask the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wmt.domain.hierarchy import NATIONAL_CODE, PRACTITIONER


class Role(StrEnum):
    PRACTITIONER = "practitioner"  # their own figures only
    TEAM_MANAGER = "team_manager"  # their team
    HEAD_OF_PDU = "head_of_pdu"  # their PDU
    REGIONAL_LEAD = "regional_lead"  # their region
    NATIONAL = "national"  # everything
    ADMIN = "admin"  # everything, and configuration and users


# The level a role's scope code names.
SCOPE_LEVEL: dict[Role, str] = {
    Role.PRACTITIONER: PRACTITIONER,
    Role.TEAM_MANAGER: "team",
    Role.HEAD_OF_PDU: "pdu",
    Role.REGIONAL_LEAD: "region",
    Role.NATIONAL: "national",
    Role.ADMIN: "national",
}


@dataclass(frozen=True)
class Place:
    """Where a unit or practitioner sits: the codes of everything above it, and its own."""

    level: str
    code: str
    team: str | None = None
    pdu: str | None = None
    region: str | None = None

    def child(self, level: str, code: str, team: str | None = None) -> Place:
        """A unit (or, with its team, a practitioner) directly inside this one."""
        above = {"team": self.team, "pdu": self.pdu, "region": self.region}
        if level in above:
            above[level] = code
        if level == PRACTITIONER:
            above["team"] = team
        return Place(level, code, team=above["team"], pdu=above["pdu"], region=above["region"])


@dataclass(frozen=True)
class Viewer:
    username: str
    role: Role
    scope: str  # a staff, team, PDU or region code, or "national"

    @property
    def home(self) -> tuple[str, str]:
        """The page a person starts from: their own scope."""
        return SCOPE_LEVEL[self.role], self.scope

    @property
    def sees_everything(self) -> bool:
        """Whether nothing is outside this person's scope (national and admin roles)."""
        return self.role in (Role.NATIONAL, Role.ADMIN)

    def may_view(self, place: Place) -> bool:
        """Whether the place lies inside this person's scope."""
        if self.sees_everything:
            return True
        if self.role is Role.PRACTITIONER:
            return place.level == PRACTITIONER and place.code == self.scope
        scope_level = SCOPE_LEVEL[self.role]
        codes = {"team": place.team, "pdu": place.pdu, "region": place.region}
        if place.level == scope_level:
            return place.code == self.scope
        if place.level == "national" or place.code == NATIONAL_CODE:
            return False
        return codes.get(scope_level) == self.scope and _below(place.level, scope_level)

    def may_edit_inputs(self, team_code: str) -> bool:
        """Whether this person may change the hours and reductions of an owner in the team.

        Team managers keep their own team's inputs; everyone else only reads them.
        """
        return self.role is Role.TEAM_MANAGER and team_code == self.scope


_DEPTH = {"national": 0, "region": 1, "pdu": 2, "team": 3, PRACTITIONER: 4}


def _below(level: str, scope_level: str) -> bool:
    return _DEPTH[level] > _DEPTH[scope_level]
