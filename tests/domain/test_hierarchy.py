"""The levels of the hierarchy: one vocabulary, written as the words addresses always used."""

from __future__ import annotations

import json

import pytest

from wmt.domain.hierarchy import ALL_LEVELS, LEVELS, Level, check_level
from wmt.errors import NotFound


def test_each_level_knows_the_level_inside_it() -> None:
    assert Level.NATIONAL.child is Level.REGION
    assert Level.REGION.child is Level.PDU
    assert Level.PDU.child is Level.TEAM
    assert Level.TEAM.child is Level.PRACTITIONER
    assert Level.PRACTITIONER.child is None


def test_each_unit_level_names_its_column_in_the_units_table() -> None:
    assert Level.TEAM.unit_column == "team_code"
    assert Level.PDU.unit_column == "pdu_code"
    assert Level.REGION.unit_column == "region_code"
    assert Level.REGION.name_column == "region_name"
    assert Level.NATIONAL.unit_column is None and Level.PRACTITIONER.unit_column is None


def test_levels_read_as_the_words_of_addresses_stored_values_and_json() -> None:
    assert [str(level) for level in ALL_LEVELS] == [
        "practitioner",
        "team",
        "pdu",
        "region",
        "national",
    ]
    assert f"/{Level.PDU}/P1/overview" == "/pdu/P1/overview"
    assert json.dumps({"level": Level.TEAM}) == '{"level": "team"}'
    assert Level("region") is Level.REGION and Level.PDU.label == "PDU"


def test_going_down_a_level_goes_one_deeper() -> None:
    for level in LEVELS:
        child = level.child
        assert child is not None and child.depth == level.depth + 1


def test_a_level_that_is_not_one_is_refused_naming_those_that_are() -> None:
    assert check_level("team", LEVELS) is Level.TEAM
    with pytest.raises(NotFound, match="choose one of team, pdu, region, national"):
        check_level("practitioner", LEVELS)
    with pytest.raises(NotFound, match="'district'"):
        check_level("district")
