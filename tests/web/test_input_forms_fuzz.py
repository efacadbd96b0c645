"""The manager's forms fuzzed: whatever is typed (or left out, or forged), no server error, and
a refusal changes nothing — not the hours and reductions kept in wmt, not the audit log, not
the newest snapshot's figures.

Each example posts one form, as the team's manager with a valid form token, with values drawn
from what people type by mistake and what an attacker sends on purpose: numbers, huge
numbers, exponents, NaN, digits of other scripts, dates out of range, empty and over-long
text, NUL and other control characters, missing fields, stale and absurd versions. The store is
compared before and after every refused post. Bounded and derandomised: the same examples run
every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.managers import add_kept_reduction
from tests.web.sessions import PASSWORD, read_page, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.inputs import ReductionEntry
from wmt.store import schema
from wmt.store.transactions import Store

EXAMPLES_PER_FORM = 60

NUMBERS = [
    "",
    " ",
    "0",
    "-0",
    "-5",
    "7.5",
    "7.25",
    "7.125",
    "37",
    "48",
    "48.01",
    "1e308",
    "1E3",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "٤٠",
    "４０",
    "²",
    "0x10",
    "1_000",
    "9" * 400,
    "2147483647",
    "2147483648",
    str(10**30),
]
DATE_PARTS = ["", "1", "01", "29", "31", "32", "0", "12", "13", "2026", "1999", "2100", "٢٠٢٦"]
TEXTS = ["", "T1", "T2", "Court duty", "Trade union facility time", "x" * 1001, "a\x00b", "\x1b["]

_typed_number = st.sampled_from(NUMBERS) | st.integers().map(str) | st.floats().map(str)
_typed_text = st.sampled_from(TEXTS) | st.text(max_size=40)
_date_part = st.sampled_from(DATE_PARTS) | _typed_number


def _date(name: str) -> dict[str, st.SearchStrategy[str]]:
    return {f"{name}-{part}": _date_part for part in ("day", "month", "year")}


REDUCTION_FIELDS: dict[str, st.SearchStrategy[str]] = {
    "team": st.sampled_from(["T1", "T1", "T2"]) | _typed_text,
    "reason": st.sampled_from(["Court duty", "Trade union facility time"]) | _typed_text,
    "hours": _typed_number,
    **_date("start_date"),
    **_date("end_date"),
    "start_date": _typed_text,  # the date as one YYYY-MM-DD text, as an address carries it
    "notes": _typed_text,
}
VERSION = {"version": st.sampled_from(["0", "1", "2", "abc", "٣", "-1"]) | _typed_number}
HOURS_FIELDS = {"team": REDUCTION_FIELDS["team"], "contracted_hours": _typed_number, **VERSION}


VALID_REDUCTION = {
    "team": "T1",
    "reason": "Court duty",
    "hours": "1",
    "start_date-day": "1",
    "start_date-month": "12",
    "start_date-year": "2026",
    "notes": "",
}
VALID_HOURS = {"team": "T1", "contracted_hours": "30", "version": "0"}


def _form(
    valid: dict[str, str], fields: dict[str, st.SearchStrategy[str]]
) -> st.SearchStrategy[dict[str, str]]:
    """A form as the page sends it with one or two fields typed wrong or left out, or any of
    the fields (any may be left out) each with a value typed anyhow."""

    def changed(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
        changes = st.fixed_dictionaries({name: fields[name] | st.none() for name in names})
        return changes.map(
            lambda found: {
                name: value for name, value in (valid | found).items() if value is not None
            }
        )

    names = st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2, unique=True)
    return names.flatmap(changed) | st.fixed_dictionaries({}, optional=fields)


@pytest.fixture
def reduction(store: Store) -> int:
    entry = ReductionEntry("Court duty", Decimal("7.40"), date(2026, 11, 1), None)
    return add_kept_reduction(store, "S1", "T1", entry, "nat")


@pytest.fixture
def manager(app: FastAPI, store: Store, reduction: int) -> Iterator[TestClient]:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T1")
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "manager")


def _kept(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """What a refused post must leave as it was: everything managers keep, the audit log, and
    the newest snapshot's inputs and figures."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        kept: tuple[type[schema.Base], ...] = (
            schema.ManagedHours,
            schema.ManagedReduction,
            schema.AuditEvent,
        )
        for model in kept:
            table = schema.table_of(model)
            found[table.name] = sorted(tuple(row) for row in connection.execute(select(table)))
        snapshots = schema.table_of(schema.Snapshot)
        newest = connection.execute(select(func.max(snapshots.c.id))).scalar_one()
        figures: tuple[type[schema.Base], ...] = (
            schema.SnapshotStaff,
            schema.SnapshotReduction,
            schema.OwnerWorkload,
            schema.UnitWorkload,
        )
        for model in figures:
            table = schema.table_of(model)
            rows = connection.execute(select(table).where(table.c.snapshot_id == newest))
            found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def _fuzz(
    client: TestClient,
    store: Store,
    url: str,
    valid: dict[str, str],
    fields: dict[str, st.SearchStrategy[str]],
) -> set[int]:
    """Post generated forms to `url`; every answer below 500, every refusal changing nothing.
    Returns the statuses seen."""
    token = read_page(client.get("/practitioner/S1/hours?team=T1")).inputs["csrf_token"]
    seen: set[int] = set()

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(typed=_form(valid, fields))
    def posted(typed: dict[str, str]) -> None:
        before = _kept(store)
        response = client.post(url, data={"csrf_token": token, **typed}, follow_redirects=False)
        seen.add(response.status_code)
        assert response.status_code < 500, (url, typed, response.text[:500])
        if response.status_code >= 400:
            assert _kept(store) == before, (url, typed, response.status_code)
            assert response.headers["content-type"].startswith("text/html")
            assert read_page(response).heading, (url, typed)

    posted()
    return seen


def test_adding_a_reduction_never_fails_and_a_refusal_changes_nothing(
    manager: TestClient, store: Store
) -> None:
    seen = _fuzz(
        manager, store, "/practitioner/S1/reductions/new", VALID_REDUCTION, REDUCTION_FIELDS
    )
    assert {303, 400} <= seen


def test_changing_a_reduction_never_fails_and_a_refusal_changes_nothing(
    manager: TestClient, store: Store, reduction: int
) -> None:
    url = f"/practitioner/S1/reductions/{reduction}/change"
    valid = VALID_REDUCTION | {"version": "1"}
    seen = _fuzz(manager, store, url, valid, {**REDUCTION_FIELDS, **VERSION})
    assert {303, 400, 409} <= seen


def test_deleting_a_reduction_never_fails_and_a_refusal_changes_nothing(
    manager: TestClient, store: Store, reduction: int
) -> None:
    url = f"/practitioner/S1/reductions/{reduction}/delete"
    seen = _fuzz(manager, store, url, {"version": "1"}, VERSION)
    assert {303, 400} <= seen


def test_setting_contracted_hours_never_fails_and_a_refusal_changes_nothing(
    manager: TestClient, store: Store
) -> None:
    seen = _fuzz(manager, store, "/practitioner/S1/hours", VALID_HOURS, HOURS_FIELDS)
    assert {303, 400, 409} <= seen


@pytest.mark.parametrize(
    "body",
    [
        b"hours=%FF%FE&team=T1&version=0",
        b"contracted_hours=\xff&team=T1&version=0",
        b"%",
        b"=" * 1000,
        b"team=T1&team=T2&contracted_hours=30&contracted_hours=20&version=0",
    ],
)
def test_a_body_that_is_not_a_proper_form_is_refused_and_changes_nothing(
    manager: TestClient, store: Store, body: bytes
) -> None:
    token = read_page(manager.get("/practitioner/S1/hours?team=T1")).inputs["csrf_token"]
    before = _kept(store)
    response = manager.post(
        "/practitioner/S1/hours",
        content=body + f"&csrf_token={token}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= response.status_code < 500
    assert _kept(store) == before
