"""Who may see what: roles, each with a scope in the hierarchy.

A person never sees a practitioner outside their scope, not even in a roll-up's child table
or an export. The rules are plain functions over a unit's place in the hierarchy, so the web
pages, exports and API all ask the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wmt.domain.hierarchy import NATIONAL_CODE, Level


class Role(StrEnum):
    PRACTITIONER = "practitioner"  # their own figures only
    TEAM_MANAGER = "team_manager"  # their team
    HEAD_OF_PDU = "head_of_pdu"  # their PDU
    REGIONAL_LEAD = "regional_lead"  # their region
    NATIONAL = "national"  # everything
    ADMIN = "admin"  # everything, and configuration and users


# The level a role's scope code names.
SCOPE_LEVEL: dict[Role, Level] = {
    Role.PRACTITIONER: Level.PRACTITIONER,
    Role.TEAM_MANAGER: Level.TEAM,
    Role.HEAD_OF_PDU: Level.PDU,
    Role.REGIONAL_LEAD: Level.REGION,
    Role.NATIONAL: Level.NATIONAL,
    Role.ADMIN: Level.NATIONAL,
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
        above = {Level.TEAM: self.team, Level.PDU: self.pdu, Level.REGION: self.region}
        if level in above:
            above[Level(level)] = code
        if level == Level.PRACTITIONER:
            above[Level.TEAM] = team
        return Place(
            level,
            code,
            team=above[Level.TEAM],
            pdu=above[Level.PDU],
            region=above[Level.REGION],
        )


@dataclass(frozen=True)
class Viewer:
    username: str
    role: Role
    scope: str  # a staff, team, PDU or region code, or "national"

    @property
    def home(self) -> tuple[Level, str]:
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
            return place.level == Level.PRACTITIONER and place.code == self.scope
        scope_level = SCOPE_LEVEL[self.role]
        codes = {Level.TEAM: place.team, Level.PDU: place.pdu, Level.REGION: place.region}
        if place.level == scope_level:
            return place.code == self.scope
        if place.level == Level.NATIONAL or place.code == NATIONAL_CODE:
            return False
        return codes.get(scope_level) == self.scope and Level(place.level).depth > scope_level.depth

    def may_edit_inputs(self, team_code: str) -> bool:
        """Whether this person may change the hours and reductions of an owner in the team.

        Team managers keep their own team's inputs; everyone else only reads them.
        """
        return self.role is Role.TEAM_MANAGER and team_code == self.scope

    def may_allocate(self, case_team: Place, practitioner_team: Place) -> bool:
        """Whether this person may give a case of one team to a practitioner of another.

        A team manager allocates within their own team; a head of PDU across the teams of
        their PDU; everyone else only reads allocations.
        """
        if self.role is Role.TEAM_MANAGER:
            return case_team.team == self.scope and practitioner_team.team == self.scope
        if self.role is Role.HEAD_OF_PDU:
            return case_team.pdu == self.scope and practitioner_team.pdu == self.scope
        return False
