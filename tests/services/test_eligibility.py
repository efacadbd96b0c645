"""The eligibility rules as versioned configuration: the version in force on a date, added
only by administrators, checked whole and audited."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import database_content
from wmt.domain.access import Role, Viewer
from wmt.domain.cases import Rosh
from wmt.domain.eligibility import default_eligibility_rules, to_document
from wmt.domain.grades import Grade
from wmt.errors import InputRejected
from wmt.services.eligibility import (
    add_rules_version,
    describe_tiers,
    grade_rows,
    rules_versions,
    version_in_force,
)
from wmt.services.saving import NotPermitted
from wmt.store import eligibility_versions, schema
from wmt.store.transactions import Store

ADMIN = Viewer("ada", Role.ADMIN, "national")
MANAGER = Viewer("tess", Role.TEAM_MANAGER, "T1")


def _without_pso(tier: str) -> dict[str, Any]:
    """The reference defaults, a PSO no longer given this tier."""
    document = to_document(default_eligibility_rules())
    document["grades"]["PSO"]["tiers"].remove(tier)
    return document


def _audit(store: Store) -> list[Any]:
    table = schema.table_of(schema.AuditEvent)
    with store.engine.connect() as connection:
        return list(connection.execute(select(table).order_by(table.c.id)).all())


def test_the_version_in_force_is_the_newest_on_or_before_the_date(store: Store) -> None:
    january = add_rules_version(store, ADMIN, _without_pso("C3"), date(2026, 1, 1), "test")
    june = add_rules_version(store, ADMIN, _without_pso("C2"), date(2026, 6, 1), "test")
    in_force = {
        on: version_in_force(store, MANAGER, on).id
        for on in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 5, 31), date(2026, 6, 1))
    }
    assert in_force == {
        date(2025, 12, 31): 1,  # the reference defaults, stored from 2000-01-01
        date(2026, 1, 1): january,
        date(2026, 5, 31): january,
        date(2026, 6, 1): june,
    }
    pso = version_in_force(store, MANAGER, date(2026, 6, 1)).rules.grades[Grade.PSO]
    assert "C2" not in pso.tiers and "C3" in pso.tiers
    listed = [(v.id, v.effective_from, v.created_by) for v in rules_versions(store, MANAGER)]
    assert listed == [
        (june, date(2026, 6, 1), "ada"),
        (january, date(2026, 1, 1), "ada"),
        (1, date(2000, 1, 1), None),
    ]
    with store.reading() as connection:
        before_any = eligibility_versions.rules_in_force(connection, date(1999, 12, 31))
    assert before_any == default_eligibility_rules()


def test_a_version_with_the_same_date_replaces_the_one_before(store: Store) -> None:
    first = add_rules_version(store, ADMIN, _without_pso("C3"), date(2026, 1, 1), "test")
    again = add_rules_version(store, ADMIN, _without_pso("C2"), date(2026, 1, 1), "test")
    assert again == first
    assert [v.id for v in rules_versions(store, ADMIN)] == [first, 1]
    assert "C3" in version_in_force(store, ADMIN, date(2026, 1, 1)).rules.grades[Grade.PSO].tiers


def test_adding_a_version_writes_one_audit_event_with_the_rules_before_and_after(
    store: Store,
) -> None:
    add_rules_version(store, ADMIN, _without_pso("C3"), date(2026, 1, 1), "test")
    [event] = _audit(store)
    assert (event.username, event.action) == ("ada", "add eligibility version")
    assert event.subject == "eligibility rules in force from 2026-01-01"
    assert (event.staff_code, event.team_code) == (None, None)  # configuration, not a person's
    before, after = json.loads(event.before), json.loads(event.after)
    assert before["PSO.tiers"] == "C3 to D0, C3S to D0S, untiered"
    assert after["PSO.tiers"] == "C2 to D0, C3S to D0S, untiered"
    assert (before["effective_from"], after["effective_from"]) == ("2000-01-01", "2026-01-01")
    assert {key for key in after if before[key] != after[key]} == {"PSO.tiers", "effective_from"}


@pytest.mark.parametrize(
    "role", [role for role in Role if role is not Role.ADMIN], ids=lambda role: role.value
)
def test_only_administrators_add_a_version(store: Store, database_url: str, role: Role) -> None:
    before = database_content(database_url)
    person = Viewer("someone", role, "national")
    with pytest.raises(NotPermitted, match="Only administrators"):
        add_rules_version(store, person, _without_pso("C3"), date(2026, 1, 1), "test")
    assert database_content(database_url) == before


def test_a_wrong_document_is_refused_naming_grade_and_setting_and_nothing_is_saved(
    store: Store, database_url: str
) -> None:
    before = database_content(database_url)
    document = _without_pso("C3")
    document["grades"]["PQiP"]["highest_rosh"] = "extreme"
    document["grades"]["PSO"]["tiers"].append("E9")
    with pytest.raises(InputRejected) as refused:
        add_rules_version(store, ADMIN, document, date(2026, 1, 1), "rules.json")
    assert refused.value.problems == [
        "grades.PQiP.highest_rosh: 'extreme' is not valid; expected one of low, medium, high, "
        "very_high",
        "grades.PSO.tiers: 'E9' is not a tier; expected A3 … D0, A3S … D0S or untiered",
    ]
    with pytest.raises(InputRejected, match="The date must be between"):
        add_rules_version(store, ADMIN, _without_pso("C3"), date(1999, 1, 1), "rules.json")
    assert database_content(database_url) == before


def test_each_grade_reads_as_runs_of_tiers_and_its_highest_rosh() -> None:
    rows = [
        (row.grade, row.tiers, row.highest_rosh) for row in grade_rows(default_eligibility_rules())
    ]
    assert rows == [
        ("PO", "A3 to D0, A3S to D0S, untiered", Rosh.VERY_HIGH.value),
        ("PQiP", "B3 to D0, B3S to D0S, untiered", Rosh.HIGH.value),
        ("PSO", "C3 to D0, C3S to D0S, untiered", Rosh.MEDIUM.value),
        ("SPO", "no new cases", ""),
        ("none", "no new cases", ""),
    ]
    assert describe_tiers({"A3", "B1", "B0", "D0S"}) == "A3, B1 to B0, D0S"
