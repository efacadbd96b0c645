"""The figures of a practitioner's or a unit's workload, declared once: name, words, places.

The service reading them, the API's models, the command line and the exported files all
take their columns, headings and decimal places from here. A figure with decimal places is
an exact decimal: written as text with exactly those places (`"17.8"`, `"37.00"`) wherever a
machine reads it, so nothing is lost or rounded on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Figure:
    name: str  # the column, the JSON field and the CSV heading
    label: str  # the heading on a page
    short: str  # the heading in a terminal's narrow table
    places: int  # 0: a whole number; otherwise an exact decimal with this many places
    description: str

    @property
    def exact(self) -> bool:
        return self.places > 0


def _figure(name: str, places: int, description: str, label: str = "", short: str = "") -> Figure:
    label = label or name.replace("_", " ").capitalize()
    return Figure(name, label, short or label, places, description)


FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        _figure("practitioners", 0, "Practitioners holding cases in the unit"),
        _figure("caseload", 0, "Cases held: community, custody and licence cases"),
        _figure("community_cases", 0, "Community cases (orders) held"),
        _figure("custody_cases", 0, "Custody cases held"),
        _figure("licence_cases", 0, "Licence cases held"),
        _figure("t2a_cases", 0, "Young adult (transition to adulthood, T2A) cases held"),
        _figure(
            "tier_scored_cases",
            0,
            "Cases scored by their tier and type: every case held but the T2A ones",
            short="Tier-scored",
        ),
        _figure(
            "unallocated_cases", 0, "Cases in the unit allocated to nobody", short="Unallocated"
        ),
        _figure("case_points", 2, "Points for cases scored by their tier and type"),
        _figure("t2a_points", 2, "Points for T2A cases, from the young adult table"),
        _figure("report_points", 0, "Points for court reports in the last 30 days"),
        _figure(
            "contact_points",
            0,
            "Points for case management support in the last 7 days: work done on colleagues' "
            "cases less colleagues' work on theirs (may be negative)",
        ),
        _figure(
            "total_points",
            0,
            "The workload: case, T2A, court report and contact points, rounded",
            short="Points",
        ),
        _figure(
            "available_points",
            0,
            "Points the contracted hours less reductions make available",
            short="Available",
        ),
        _figure(
            "remaining_points",
            0,
            "Available points less the workload; negative when over capacity",
            short="Remaining",
        ),
        _figure("contracted_hours", 2, "Contracted hours a week", short="Contracted h"),
        _figure("reduction_hours", 2, "Hours a week of reductions in force", short="Reduction h"),
        _figure(
            "hours_available",
            2,
            "Contracted hours less the reductions in force",
            short="Available h",
        ),
        _figure(
            "capacity_percent",
            1,
            "Workload ÷ available points, as a percentage to one decimal place",
            label="Capacity",
            short="Capacity %",
        ),
    )
}

# The figures that say how a workload compares with the time to do it, shared by a
# practitioner in one team and a unit (summed over those below it).
CAPACITY_FIGURES: tuple[str, ...] = (
    "total_points",
    "available_points",
    "remaining_points",
    "contracted_hours",
    "reduction_hours",
    "capacity_percent",
)
PRACTITIONER_FIGURES: tuple[str, ...] = (
    "caseload",
    "community_cases",
    "custody_cases",
    "licence_cases",
    "t2a_cases",
    "case_points",
    "t2a_points",
    "report_points",
    "contact_points",
    *CAPACITY_FIGURES,
)
UNIT_FIGURES: tuple[str, ...] = (
    "practitioners",
    "caseload",
    "unallocated_cases",
    *CAPACITY_FIGURES,
)


def exact_text(value: Decimal, places: int | None = None) -> str:
    """An exact decimal as text: with the figure's places if given, else as it is held.

    Never in exponent form (`"0.00"`, not `"0E-2"`), so any decimal reader takes it.
    """
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def places_of(column: str) -> int | None:
    """The decimal places of a figure's column; None for a column that is not a figure."""
    figure = FIGURES.get(column)
    return figure.places if figure is not None else None
