"""The levels of the probation hierarchy, from a practitioner up to the whole service.

`Level` is a string enum: `Level.TEAM == "team"`, so addresses (`/team/T1/overview`), stored
values and JSON keep the words they always had.
"""

from __future__ import annotations

from enum import StrEnum

from wmt.errors import NotFound


class Level(StrEnum):
    PRACTITIONER = "practitioner"
    TEAM = "team"
    PDU = "pdu"
    REGION = "region"
    NATIONAL = "national"

    @property
    def child(self) -> Level | None:
        """The level directly inside this one: a team's practitioners, a PDU's teams."""
        return _CHILD.get(self)

    @property
    def unit_column(self) -> str | None:
        """The column of the units table holding this level's code (none above a region)."""
        return _UNIT_COLUMN.get(self)

    @property
    def name_column(self) -> str | None:
        """The column of the units table holding this level's name (none above a region)."""
        column = _UNIT_COLUMN.get(self)
        return column.replace("_code", "_name") if column else None

    @property
    def label(self) -> str:
        """The level as a heading names it: Team, PDU."""
        return "PDU" if self is Level.PDU else self.value.capitalize()

    @property
    def depth(self) -> int:
        """How far below the national level: 0 for national, 4 for a practitioner."""
        return _DEPTH[self]


_CHILD = {
    Level.NATIONAL: Level.REGION,
    Level.REGION: Level.PDU,
    Level.PDU: Level.TEAM,
    Level.TEAM: Level.PRACTITIONER,
}
_UNIT_COLUMN = {Level.TEAM: "team_code", Level.PDU: "pdu_code", Level.REGION: "region_code"}
_DEPTH = {
    Level.NATIONAL: 0,
    Level.REGION: 1,
    Level.PDU: 2,
    Level.TEAM: 3,
    Level.PRACTITIONER: 4,
}

PRACTITIONER = Level.PRACTITIONER
# The levels whose figures are roll-ups of the practitioners below them, smallest first.
LEVELS: tuple[Level, ...] = (Level.TEAM, Level.PDU, Level.REGION, Level.NATIONAL)
UNIT_LEVELS: tuple[Level, ...] = (Level.TEAM, Level.PDU, Level.REGION)  # with a unit column
ALL_LEVELS: tuple[Level, ...] = (Level.PRACTITIONER, *LEVELS)

NATIONAL_CODE = "national"
NATIONAL_NAME = "National"


def check_level(level: str, allowed: tuple[str, ...] = ALL_LEVELS) -> Level:
    """The level named, if it is one of those allowed; NotFound saying which are if not."""
    if level not in allowed:
        raise NotFound(f"There is no level called {level!r}; choose one of {', '.join(allowed)}.")
    return Level(level)
