"""The records the reading services give: each figure one of those the domain declares."""

from __future__ import annotations

from wmt.domain.figures import FIGURES, PRACTITIONER_FIGURES, UNIT_FIGURES
from wmt.services.capacity import (
    PRACTITIONER_COLUMNS,
    UNIT_COLUMNS,
    PractitionerFigures,
    UnitFigures,
)
from wmt.services.listing import field_names

PRACTITIONER_KEYS = {"staff_code", "team_code", "grade", "forename", "surname"}
UNIT_KEYS = {"level", "unit_code", "unit_name", "parent_code"}


def test_a_practitioners_record_holds_every_column_of_their_table() -> None:
    assert set(PRACTITIONER_COLUMNS) <= set(field_names(PractitionerFigures))
    assert set(field_names(PractitionerFigures)) - PRACTITIONER_KEYS <= set(FIGURES)
    assert set(PRACTITIONER_FIGURES) <= set(field_names(PractitionerFigures))


def test_a_units_record_holds_every_column_of_its_table() -> None:
    assert set(UNIT_COLUMNS) <= set(field_names(UnitFigures))
    assert set(field_names(UnitFigures)) - UNIT_KEYS <= set(FIGURES)
    assert set(UNIT_FIGURES) <= set(field_names(UnitFigures))
