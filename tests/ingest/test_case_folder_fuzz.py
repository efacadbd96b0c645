"""The case-level reader, given the valid folder damaged or disguised in many ways: every folder
is either refused, with every problem naming its file, row and column (and one naming the place
damaged), or read to exactly the figures it should give: those of the valid folder when only its
form changed, those of the valid folder without a row when a row was deleted."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from tests.case_folders import write_folder
from tests.ingest.folder_mutations import MUTATIONS, Mutation, Outcome, rows
from wmt.domain.points import default_points_configuration
from wmt.engine import SnapshotTables, calculate
from wmt.errors import InputRejected
from wmt.ingest.case_folder import read_case_folder

CONFIG = default_points_configuration()
PROBLEM = re.compile(
    r"(?P<file>units\.csv|staff\.csv|cases\.csv|reports\.csv|contacts\.csv|reductions\.csv"
    r"|snapshot\.txt), row (?P<row>[0-9]+), column (?P<column>.+?): "
)


@cache
def valid() -> tuple[SnapshotTables, date]:
    with tempfile.TemporaryDirectory() as work:
        return read_case_folder(write_folder(Path(work)))


def figures(tables: SnapshotTables, on: date) -> pl.DataFrame:
    """Each owner's figures (their names are no figure)."""
    owners = calculate(tables, CONFIG, on).owners.drop("forename", "surname")
    return owners.sort("staff_code", "team_code")


def _without_row(tables: SnapshotTables, file: str, row: int) -> SnapshotTables:
    """The valid tables without the row deleted from `file` (row 1 is its first data row)."""
    first_value = rows(file)[row][0]
    if file == "cases.csv":  # a contact on that case no longer has anyone holding it
        held = pl.col("crn") == first_value
        return replace(
            tables,
            cases=tables.cases.filter(~held),
            contacts=tables.contacts.with_columns(
                pl.when(held).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("holder_staff_code", "holder_team_code")
            ),
        )
    if file == "contacts.csv":
        return replace(tables, contacts=tables.contacts.filter(pl.col("contact_id") != first_value))
    name = file.removesuffix(".csv")
    kept = getattr(tables, name).with_row_index("__i").filter(pl.col("__i") != row - 1)
    return replace(tables, **{name: kept.drop("__i")})


def expected_figures(mutation: Mutation) -> pl.DataFrame:
    tables, on = valid()
    if mutation.removed is not None:
        tables = _without_row(tables, *mutation.removed)
    return figures(tables, on)


def assert_refused_naming_where(mutation: Mutation, refused: InputRejected) -> None:
    places = [PROBLEM.match(problem) for problem in refused.problems]
    unnamed = [p for p, place in zip(refused.problems, places, strict=True) if place is None]
    assert not unnamed, f"problems without file, row and column: {unnamed}"
    if mutation.where is None:
        return
    file, row, column = mutation.where
    assert any(
        place is not None
        and (place["file"], int(place["row"])) == (file, row)
        and column in place["column"]
        for place in places
    ), f"no problem names {mutation.where}: {refused.problems}"


@pytest.mark.parametrize("kind", list(MUTATIONS))
@settings(derandomize=True, max_examples=12, deadline=None, database=None)
@given(data=st.data())
def test_a_damaged_folder_is_refused_naming_where_or_read_to_the_figures_it_should_give(
    kind: str, data: st.DataObject
) -> None:
    mutation = data.draw(MUTATIONS[kind])
    note(f"{mutation.kind}: {mutation.files!r}")
    with tempfile.TemporaryDirectory() as work:
        folder = write_folder(Path(work), mutation.files)
        try:
            tables, on = read_case_folder(folder)
        except InputRejected as refused:
            assert mutation.outcome is Outcome.REFUSED, refused.problems
            assert_refused_naming_where(mutation, refused)
            return
    assert mutation.outcome is not Outcome.REFUSED, "read, but it should have been refused"
    assert figures(tables, on).equals(expected_figures(mutation))
