"""Allocation decisions laid over an import: confirmed, laid over, contradicted or left
pending, by the one rule over whole tables."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import ON, case, snapshot
from wmt.engine.decisions import (
    CONTRADICTED_FINDING,
    PENDING_DECISIONS_SCHEMA,
    Outcome,
    with_decisions,
)
from wmt.engine.quality import FINDING_COLUMNS

DECIDED_ON = ON - timedelta(days=7)


def decision(
    number: int,
    crn: str,
    to: tuple[str, str] = ("S2", "T1"),
    was: tuple[str | None, str | None] = (None, None),
    as_of: date = DECIDED_ON,
) -> dict[str, Any]:
    return {
        "id": number,
        "crn": crn,
        "to_staff_code": to[0],
        "to_team_code": to[1],
        "from_staff_code": was[0],
        "from_team_code": was[1],
        "as_of": as_of,
    }


def decisions(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=PENDING_DECISIONS_SCHEMA)


def outcome_of(found: pl.DataFrame) -> dict[int, str]:
    return dict(zip(found["id"].to_list(), found["outcome"].to_list(), strict=True))


def holders(cases: pl.DataFrame) -> dict[str, tuple[Any, ...]]:
    return {
        row["crn"]: (row["staff_code"], row["allocated_date"], row["allocation_decision_id"])
        for row in cases.iter_rows(named=True)
    }


def test_a_waiting_case_takes_the_decisions_practitioner_and_date() -> None:
    tables = snapshot(cases=[case("C1", None), case("C2", "S1")])
    found = with_decisions(tables, decisions(decision(1, "C1")), ON)
    assert holders(found.tables.cases) == {"C1": ("S2", DECIDED_ON, 1), "C2": ("S1", None, None)}
    assert outcome_of(found.outcomes) == {1: Outcome.LAID_OVER}
    assert found.findings.is_empty()


def test_a_case_still_with_the_practitioner_it_was_moved_from_is_moved() -> None:
    tables = snapshot(cases=[case("C1", "S1")])
    found = with_decisions(tables, decisions(decision(4, "C1", was=("S1", "T1"))), ON)
    assert holders(found.tables.cases) == {"C1": ("S2", DECIDED_ON, 4)}


def test_an_import_showing_the_decisions_practitioner_confirms_it() -> None:
    tables = snapshot(cases=[case("C1", "S2")])
    found = with_decisions(tables, decisions(decision(1, "C1")), ON)
    assert outcome_of(found.outcomes) == {1: Outcome.CONFIRMED}
    assert holders(found.tables.cases) == {"C1": ("S2", None, None)}


def test_an_import_showing_someone_else_wins_and_is_a_finding() -> None:
    tables = snapshot(cases=[case("C1", "S3")])
    found = with_decisions(tables, decisions(decision(1, "C1")), ON)
    assert outcome_of(found.outcomes) == {1: Outcome.CONTRADICTED}
    assert holders(found.tables.cases) == {"C1": ("S3", None, None)}
    assert found.findings.columns == FINDING_COLUMNS
    finding = found.findings.row(0, named=True)
    assert (finding["finding"], finding["staff_code"], finding["crn"]) == (
        CONTRADICTED_FINDING,
        "S3",
        "C1",
    )
    assert finding["detail"].startswith(f"allocated in wmt to S2 (T1) on {DECIDED_ON}")


def test_a_case_not_in_the_import_stays_pending_and_nothing_is_laid() -> None:
    tables = snapshot(cases=[case("C2", None)])
    found = with_decisions(tables, decisions(decision(1, "C1")), ON)
    assert outcome_of(found.outcomes) == {1: Outcome.NOT_IN_IMPORT}
    assert holders(found.tables.cases) == {"C2": (None, None, None)}


def test_only_the_newest_decision_made_by_the_import_date_counts() -> None:
    tables = snapshot(cases=[case("C1", None)])
    found = with_decisions(
        tables,
        decisions(
            decision(1, "C1", to=("S2", "T1")),
            decision(2, "C1", to=("S3", "T1"), was=("S2", "T1")),
            decision(3, "C1", to=("S4", "T1"), as_of=ON + timedelta(days=7)),
        ),
        ON,
    )
    assert outcome_of(found.outcomes) == {2: Outcome.LAID_OVER}
    assert holders(found.tables.cases)["C1"] == ("S3", DECIDED_ON, 2)


def test_contacts_on_a_laid_case_count_against_its_new_holder() -> None:
    contact = {"contact_id": "1", "crn": "C1", "contact_date": ON, "contact_type_code": "CMS01"}
    tables = snapshot(
        cases=[case("C1", None)],
        contacts=[{**contact, "staff_code": "S1", "team_code": "T1"}],
    )
    found = with_decisions(tables, decisions(decision(1, "C1")), ON)
    row = found.tables.contacts.row(0, named=True)
    assert (row["holder_staff_code"], row["holder_team_code"]) == ("S2", "T1")


PEOPLE = ["S1", "S2", "S3"]
holder = st.one_of(st.none(), st.sampled_from(PEOPLE))


@settings(max_examples=40)
@given(
    held=st.dictionaries(st.sampled_from(["C1", "C2", "C3", "C4"]), holder, max_size=4),
    decided=st.lists(
        st.tuples(st.sampled_from(["C1", "C2", "C3", "C5"]), st.sampled_from(PEOPLE), holder),
        max_size=6,
    ),
)
def test_each_case_ends_with_the_decision_or_the_import_and_laying_again_confirms(
    held: dict[str, str | None], decided: list[tuple[str, str, str | None]]
) -> None:
    tables = snapshot(cases=[case(crn, staff) for crn, staff in held.items()])
    pending = decisions(
        *(
            decision(number, crn, to=(to, "T1"), was=(was, "T1" if was else None))
            for number, (crn, to, was) in enumerate(decided, start=1)
        )
    )
    found = with_decisions(tables, pending, ON)
    newest = {crn: (number, to, was) for number, (crn, to, was) in enumerate(decided, start=1)}
    after = holders(found.tables.cases)
    assert set(after) == set(held)
    for crn, staff in held.items():
        number, to, was = newest.get(crn, (None, None, None))
        laid = number is not None and staff != to and (staff is None or staff == was)
        assert after[crn] == ((to, DECIDED_ON, number) if laid else (staff, None, None))
    assert found.findings["crn"].to_list() == sorted(
        crn
        for crn, (_, to, was) in newest.items()
        if held.get(crn) not in (None, to, was) and crn in held
    )
    again = with_decisions(found.tables, pending, ON)
    assert set(outcome_of(again.outcomes).values()) <= {
        Outcome.CONFIRMED,
        Outcome.CONTRADICTED,
        Outcome.NOT_IN_IMPORT,
    }
