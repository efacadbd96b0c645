"""Managing hours and reductions: the figure and the roll-ups follow at once, every change is
audited, a stale edit is refused, and later imports keep what managers set."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.case_folders import write_folder
from tests.managers import add_kept_reduction, team_manager
from wmt.services import inputs
from wmt.services.audit import audit_events
from wmt.services.importing import import_case_folder
from wmt.services.inputs import EditConflict, InvalidInput, ReductionEntry
from wmt.store import schema
from wmt.store.transactions import Store

ON = date(2026, 11, 20)
T1_MANAGER, T2_MANAGER = team_manager("T1", "m"), team_manager("T2", "m")


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    import_case_folder(store, write_folder(tmp_path / "s"))
    return store


def _owner(store: Store, staff: str, team: str, snapshot_as_of: date = ON) -> dict[str, Any]:
    owners = schema.table_of(schema.OwnerWorkload)
    snapshots = schema.table_of(schema.Snapshot)
    with store.engine.connect() as connection:
        row = connection.execute(
            select(owners)
            .join(snapshots, snapshots.c.id == owners.c.snapshot_id)
            .where(
                snapshots.c.as_of == snapshot_as_of,
                owners.c.staff_code == staff,
                owners.c.team_code == team,
            )
        ).one()
    return dict(row._mapping)


def _unit(store: Store, level: str, code: str) -> dict[str, Any]:
    units = schema.table_of(schema.UnitWorkload)
    with store.engine.connect() as connection:
        row = connection.execute(
            select(units)
            .where(units.c.level == level, units.c.unit_code == code)
            .order_by(units.c.snapshot_id.desc())
            .limit(1)
        ).one()
    return dict(row._mapping)


def _entry(**changes: Any) -> ReductionEntry:
    values: dict[str, Any] = {
        "reason": "Court duty",
        "hours": Decimal("7.40"),
        "start_date": date(2026, 11, 1),
        "end_date": None,
        "notes": None,
    }
    return ReductionEntry(**(values | changes))


def test_a_reduction_lowers_available_points_for_the_owner_and_every_roll_up(
    loaded: Store,
) -> None:
    before, team_before = _owner(loaded, "S1", "T1"), _unit(loaded, "team", "T1")
    national_before = _unit(loaded, "national", "national")
    inputs.add_reduction(loaded, team_manager("T1", "manager"), "S1", "T1", _entry())
    after, team_after = _owner(loaded, "S1", "T1"), _unit(loaded, "team", "T1")
    assert after["reduction_hours"] == before["reduction_hours"] + Decimal("7.40")
    assert after["available_points"] < before["available_points"]
    assert after["capacity_percent"] > before["capacity_percent"]
    drop = before["available_points"] - after["available_points"]
    assert team_after["available_points"] == team_before["available_points"] - drop
    national_after = _unit(loaded, "national", "national")
    assert national_after["available_points"] == national_before["available_points"] - drop


def test_every_change_is_audited_with_before_and_after(loaded: Store) -> None:
    reduction = add_kept_reduction(loaded, "S1", "T1", username="manager", entry=_entry())
    inputs.change_reduction(
        loaded, team_manager("T1", "manager"), reduction, 1, _entry(hours=Decimal("3.70"))
    )
    inputs.delete_reduction(loaded, team_manager("T1", "other"), reduction, 2)
    inputs.set_contracted_hours(
        loaded, team_manager("T1", "manager"), "S2", "T1", Decimal("22.5"), 0
    )
    rows = audit_events(loaded, teams=["T1"]).rows
    assert [(row.username, row.action) for row in rows] == [
        ("manager", "contracted hours changed"),
        ("other", "reduction deleted"),
        ("manager", "reduction changed"),
        ("manager", "reduction added"),
    ]
    assert rows[0].changes == "contracted_hours: 18.50 → 22.5"
    assert rows[2].changes == "hours: 7.40 → 3.70"
    assert rows[1].changes.startswith("removed: end_date: none; hours: 3.70")
    assert audit_events(loaded, teams=["T2"]).rows == []


def test_a_stale_edit_is_refused_and_the_first_one_kept(loaded: Store) -> None:
    reduction = add_kept_reduction(loaded, "S1", "T1", username="first", entry=_entry())
    inputs.change_reduction(
        loaded, team_manager("T1", "first"), reduction, 1, _entry(hours=Decimal("5"))
    )
    with pytest.raises(EditConflict, match="first changed this reduction"):
        inputs.change_reduction(
            loaded, team_manager("T1", "second"), reduction, 1, _entry(hours=Decimal("2"))
        )
    with pytest.raises(EditConflict):
        inputs.delete_reduction(loaded, team_manager("T1", "second"), reduction, 1)
    kept = inputs.find_reduction(loaded, reduction)
    assert kept is not None and kept.hours == Decimal("5.00") and kept.version == 2
    assert _owner(loaded, "S1", "T1")["reduction_hours"] == Decimal("5.00")


def test_stale_contracted_hours_are_refused(loaded: Store) -> None:
    inputs.set_contracted_hours(loaded, team_manager("T1", "first"), "S2", "T1", Decimal("20"), 0)
    with pytest.raises(EditConflict, match="first changed these contracted hours"):
        inputs.set_contracted_hours(
            loaded, team_manager("T1", "second"), "S2", "T1", Decimal("30"), 0
        )
    assert _owner(loaded, "S2", "T1")["contracted_hours"] == Decimal("20.00")


def test_rules_of_the_reason_are_enforced_and_nothing_changes(loaded: Store) -> None:
    before = _owner(loaded, "S1", "T1")
    with pytest.raises(InvalidInput) as refused:
        inputs.add_reduction(
            loaded,
            T1_MANAGER,
            "S1",
            "T1",
            _entry(reason="Trade union facility time", hours=Decimal(20)),
        )
    assert refused.value.errors == {
        "hours": "Trade union facility time can be at most 50 % of contracted hours: 18.5 hours"
    }
    with pytest.raises(InvalidInput) as refused:
        inputs.add_reduction(
            loaded, T1_MANAGER, "S1", "T1", _entry(reason="Naps", end_date=date(2026, 10, 1))
        )
    assert set(refused.value.errors) == {"reason", "end_date"}
    assert _owner(loaded, "S1", "T1") == before
    assert audit_events(loaded).rows == []


def _managed_rows(store: Store) -> list[tuple[Any, ...]]:
    table = schema.table_of(schema.ManagedReduction)
    with store.engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(select(table)))


def test_reductions_may_not_add_up_to_more_than_the_contracted_hours(loaded: Store) -> None:
    inputs.set_contracted_hours(loaded, T1_MANAGER, "S1", "T1", Decimal(40), 0)
    inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", _entry(hours=Decimal(30)))
    before, kept = _owner(loaded, "S1", "T1"), _managed_rows(loaded)
    with pytest.raises(InvalidInput) as refused:
        inputs.add_reduction(
            loaded, T1_MANAGER, "S1", "T1", _entry(hours=Decimal(24), start_date=date(2026, 12, 1))
        )
    assert refused.value.errors == {
        "hours": "From 1 December 2026 these reductions would total 54 hours, more than the "
        "40 contracted hours"
    }
    assert _owner(loaded, "S1", "T1") == before and _managed_rows(loaded) == kept
    # Changing the first reduction counts it once, as it would be.
    reduction = kept[0][0]
    inputs.change_reduction(loaded, T1_MANAGER, reduction, 1, _entry(hours=Decimal(40)))
    with pytest.raises(InvalidInput, match=r"would total 40\.5 hours"):
        inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", _entry(hours=Decimal("0.5")))


def test_reductions_count_together_only_on_the_days_they_overlap(loaded: Store) -> None:
    november = _entry(hours=Decimal(30), end_date=date(2026, 11, 30))
    december = _entry(hours=Decimal(30), start_date=date(2026, 12, 1), end_date=date(2026, 12, 31))
    inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", november)
    inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", december)  # 30 and 30 on 37, not together
    assert _owner(loaded, "S1", "T1")["reduction_hours"] == Decimal("30.00")
    overlapping = _entry(hours=Decimal(8), start_date=date(2026, 12, 31))
    with pytest.raises(InvalidInput, match="From 31 December 2026 these reductions would total 38"):
        inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", overlapping)


def test_an_imported_reduction_counts_with_those_kept_in_wmt(loaded: Store) -> None:
    # Cara Davies (S3, 37 hours) has 22.20 hours of PQiP time from the import, from September.
    with pytest.raises(InvalidInput) as refused:
        inputs.add_reduction(loaded, T2_MANAGER, "S3", "T2", _entry(hours=Decimal(15)))
    assert refused.value.errors == {
        "hours": "From 1 November 2026 these reductions would total 37.2 hours, more than the "
        "37 contracted hours"
    }
    inputs.add_reduction(loaded, T2_MANAGER, "S3", "T2", _entry(hours=Decimal("14.8")))
    # The deleted imported reduction of S1 (3.5 hours of union time) counts for nothing.
    union = _entry(reason="Trade union facility time", hours=Decimal("18.5"))
    inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", union)


def test_a_reasons_maximum_applies_to_the_total_of_that_reason(loaded: Store) -> None:
    union = _entry(reason="Trade union facility time", hours=Decimal("11.1"))
    inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", union)
    with pytest.raises(InvalidInput) as refused:
        inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", union)
    assert refused.value.errors == {
        "hours": "From 1 November 2026 the Trade union facility time reductions would total "
        "22.2 hours, more than its maximum of 50 % of contracted hours: 18.5 hours"
    }


def test_contracted_hours_cannot_be_cut_below_the_reductions_in_force(loaded: Store) -> None:
    inputs.add_reduction(loaded, T1_MANAGER, "S1", "T1", _entry(hours=Decimal(20)))
    inputs.add_reduction(
        loaded, T1_MANAGER, "S1", "T1", _entry(hours=Decimal(10), start_date=date(2027, 1, 4))
    )
    before = _owner(loaded, "S1", "T1")
    with pytest.raises(InvalidInput) as refused:
        inputs.set_contracted_hours(loaded, T1_MANAGER, "S1", "T1", Decimal(25), 0)
    assert refused.value.errors == {
        "contracted_hours": "From 4 January 2027 their reductions total 30 hours, more than the "
        "25 contracted hours entered: end or reduce reductions first"
    }
    assert _owner(loaded, "S1", "T1") == before
    assert audit_events(loaded, staff_code="S1").rows[0].action == "reduction added"
    inputs.set_contracted_hours(loaded, T1_MANAGER, "S1", "T1", Decimal(30), 0)
    assert _owner(loaded, "S1", "T1")["contracted_hours"] == Decimal("30.00")


def test_a_version_or_id_the_store_cannot_hold_is_no_such_record(loaded: Store) -> None:
    assert inputs.find_reduction(loaded, 10**30) is None
    reduction = add_kept_reduction(loaded, "S1", "T1", username="m", entry=_entry())
    with pytest.raises(EditConflict):
        inputs.change_reduction(loaded, T1_MANAGER, reduction, 10**30, _entry(hours=Decimal(1)))
    with pytest.raises(EditConflict):
        inputs.delete_reduction(loaded, T1_MANAGER, 10**30, 1)
    with pytest.raises(EditConflict, match="never been set in wmt"):
        inputs.set_contracted_hours(loaded, T1_MANAGER, "S1", "T1", Decimal(30), 10**30)


def test_contracted_hours_replace_the_imports_and_the_allowance_follows(loaded: Store) -> None:
    inputs.set_contracted_hours(loaded, T1_MANAGER, "S1", "T1", Decimal("30"), 0)
    owner = inputs.owner_inputs(loaded, "S1", "T1")
    assert owner.contracted_hours == Decimal("30.00")
    assert owner.imported_contracted_hours is None and owner.hours_version == 1
    reason = next(r for r in inputs.reasons(loaded) if r.name == "Maternity leave")
    suggested = inputs.suggested_entry(reason, owner.contracted_hours, date(2026, 8, 31))
    assert suggested.hours == Decimal("30.00") and suggested.end_date == date(2027, 2, 28)


def test_a_later_import_keeps_what_managers_set_and_earlier_snapshots_stay(
    loaded: Store, tmp_path: Path
) -> None:
    inputs.set_contracted_hours(loaded, T1_MANAGER, "S2", "T1", Decimal("30"), 0)
    inputs.add_reduction(loaded, T1_MANAGER, "S2", "T1", _entry(hours=Decimal("3")))
    later = date(2026, 11, 27)
    import_case_folder(loaded, write_folder(tmp_path / "later"), later)
    newest = _owner(loaded, "S2", "T1", later)
    assert newest["contracted_hours"] == Decimal("30.00")
    assert newest["reduction_hours"] == Decimal("3.00")
    owner = inputs.owner_inputs(loaded, "S2", "T1")
    assert owner.imported_contracted_hours == Decimal("18.50")
    assert [r.reason for r in owner.reductions if r.managed] == ["Court duty"]
    # Re-importing the earlier date takes today's managed inputs too: one rule for every import.
    earlier = date(2026, 11, 13)
    import_case_folder(loaded, write_folder(tmp_path / "earlier"), earlier)
    inputs.delete_reduction(loaded, T1_MANAGER, owner.reductions[0].id or 0, 1)
    assert _owner(loaded, "S2", "T1", later)["reduction_hours"] == Decimal("0.00")
    assert _owner(loaded, "S2", "T1", earlier)["reduction_hours"] == Decimal("3.00")


def test_imported_reductions_are_listed_but_not_managed(loaded: Store) -> None:
    owner = inputs.owner_inputs(loaded, "S3", "T2")
    assert [(r.reason, r.managed, r.status.value) for r in owner.reductions] == [
        ("PQiP 6 to 12 months", False, "active"),
        ("PQiP first 6 months", False, "archived"),
    ]


def _results(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    with store.engine.connect() as connection:
        for model in (schema.OwnerWorkload, schema.OwnerCaseload, schema.UnitWorkload):
            table = schema.table_of(model)
            found[table.name] = sorted(tuple(row) for row in connection.execute(select(table)))
        findings = schema.table_of(schema.QualityFinding)
        found["findings"] = sorted(
            (row.finding, row.staff_code or "", row.team_code or "", row.crn or "", row.detail)
            for row in connection.execute(select(findings))
        )
    return found


def test_recalculating_one_owner_gives_what_recalculating_everyone_gives(loaded: Store) -> None:
    from wmt.services.importing import recalculate

    inputs.add_reduction(
        loaded,
        T1_MANAGER,
        "S1",
        "T1",
        _entry(reason="Long term sickness absence", hours=Decimal(37)),
    )
    inputs.set_contracted_hours(loaded, T1_MANAGER, "S2", "T1", Decimal("12.25"), 0)
    inputs.add_reduction(loaded, T2_MANAGER, "S3", "T2", _entry(hours=Decimal("1.25")))
    after_edits = _results(loaded)
    assert any("100 %" in finding[4] for finding in after_edits["findings"])
    with loaded.engine.begin() as connection:
        recalculate(connection)
    assert _results(loaded) == after_edits
