"""Saving a change to hours and reductions: only the team's manager may, and a save answers
with what was saved and the figures the practitioner's page then shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.case_folders import write_folder
from tests.managers import add_kept_reduction, team_manager
from wmt.domain.access import Role, Viewer
from wmt.services import inputs
from wmt.services.audit import audit_events
from wmt.services.importing import import_case_folder
from wmt.services.inputs import NotPermitted, ReductionEntry
from wmt.services.overview import practitioner_overview
from wmt.services.scope import OPERATOR
from wmt.store import schema
from wmt.store.transactions import Store

COURT_DUTY = ReductionEntry("Court duty", Decimal("7.40"), date(2026, 11, 1), None)
REFUSED = "Only the manager of the practitioner's team can change their hours and reductions."


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    import_case_folder(store, write_folder(tmp_path / "s"))
    return store


def _everything_changeable(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """The managed inputs, the audit log and every owner's figures, as stored."""
    tables = {
        "reductions": schema.ManagedReduction,
        "hours": schema.ManagedHours,
        "audit": schema.AuditEvent,
        "figures": schema.OwnerWorkload,
    }
    with store.reading() as connection:
        return {
            name: sorted(tuple(row) for row in connection.execute(select(schema.table_of(model))))
            for name, model in tables.items()
        }


def _changes(reduction_id: int) -> dict[str, Callable[[Store, Viewer], object]]:
    """Every change a manager can make to S1 in team T1."""
    return {
        "add": lambda store, viewer: inputs.add_reduction(store, viewer, "S1", "T1", COURT_DUTY),
        "change": lambda store, viewer: inputs.change_reduction(
            store, viewer, reduction_id, 1, COURT_DUTY
        ),
        "delete": lambda store, viewer: inputs.delete_reduction(store, viewer, reduction_id, 1),
        "hours": lambda store, viewer: inputs.set_contracted_hours(
            store, viewer, "S1", "T1", Decimal(30), 0
        ),
    }


@pytest.mark.parametrize(
    "viewer",
    [
        team_manager("T2", "t2_manager"),
        Viewer("S1", Role.PRACTITIONER, "S1"),
        Viewer("head", Role.HEAD_OF_PDU, "P1"),
        Viewer("nat", Role.NATIONAL, "national"),
        Viewer("admin", Role.ADMIN, "national"),
    ],
    ids=lambda viewer: viewer.role.value,
)
def test_only_the_manager_of_the_practitioners_team_may_change_their_inputs(
    loaded: Store, viewer: Viewer
) -> None:
    reduction_id = add_kept_reduction(loaded, "S1", "T1", COURT_DUTY)
    before = _everything_changeable(loaded)
    for name, change in _changes(reduction_id).items():
        with pytest.raises(NotPermitted) as refused:
            change(loaded, viewer)
        assert str(refused.value) == REFUSED, name
    assert _everything_changeable(loaded) == before
    with pytest.raises(NotPermitted):
        inputs.inputs_to_change(loaded, viewer, "S1", "T1")
    with pytest.raises(NotPermitted):
        inputs.reduction_to_change(loaded, viewer, reduction_id)


def _shown(store: Store, staff_code: str, team_code: str) -> dict[str, Any]:
    """The practitioner's figures in a team, as their page reads them."""
    page = practitioner_overview(store, OPERATOR, staff_code)
    return asdict(next(row for row in page.workloads if row.team_code == team_code))


def _figures_of(saved: inputs.Saved) -> dict[str, Any]:
    figures = saved.figures
    return {
        "contracted_hours": figures.contracted_hours,
        "reduction_hours": figures.reduction_hours,
        "hours_available": figures.hours_available,
        "total_points": figures.total_points,
        "available_points": figures.available_points,
        "remaining_points": figures.remaining_points,
        "capacity_percent": figures.capacity_percent,
    }


def test_a_save_answers_with_the_figures_the_practitioners_page_then_shows(
    loaded: Store,
) -> None:
    manager = team_manager("T1")
    before = _shown(loaded, "S1", "T1")
    added = inputs.add_reduction(loaded, manager, "S1", "T1", COURT_DUTY)
    assert added.reduction is not None and added.reduction.id is not None
    shown = _shown(loaded, "S1", "T1")
    assert _figures_of(added) == {name: shown[name] for name in _figures_of(added)}
    assert added.figures.capacity_percent > before["capacity_percent"]
    assert added.figures.as_of == date(2026, 11, 20)
    longer = ReductionEntry("Court duty", Decimal("10"), date(2026, 11, 1), None)
    changed = inputs.change_reduction(loaded, manager, added.reduction.id, 1, longer)
    shown = _shown(loaded, "S1", "T1")
    assert _figures_of(changed) == {name: shown[name] for name in _figures_of(changed)}
    assert changed.figures.reduction_hours == added.figures.reduction_hours + Decimal("2.60")
    hours = inputs.set_contracted_hours(loaded, manager, "S1", "T1", Decimal(30), 0)
    assert hours.figures.contracted_hours == _shown(loaded, "S1", "T1")["contracted_hours"]
    assert hours.figures.contracted_hours == Decimal("30.00")


def test_a_save_answers_with_the_entry_as_saved_with_its_id_and_new_version(
    loaded: Store,
) -> None:
    manager = team_manager("T1")
    added = inputs.add_reduction(loaded, manager, "S1", "T1", COURT_DUTY)
    assert added.reduction is not None and added.reduction.id is not None
    assert (added.reduction.reason, added.reduction.hours) == ("Court duty", Decimal("7.40"))
    assert (added.reduction.version, added.reduction.changed_by) == (1, "manager")
    assert added.reduction in added.inputs.reductions
    changed = inputs.change_reduction(loaded, manager, added.reduction.id, 1, COURT_DUTY)
    assert changed.reduction is not None
    assert (changed.reduction.id, changed.reduction.version) == (added.reduction.id, 2)
    deleted = inputs.delete_reduction(loaded, manager, added.reduction.id, 2)
    assert deleted.reduction is None
    assert added.reduction.id not in [r.id for r in deleted.inputs.reductions]
    hours = inputs.set_contracted_hours(loaded, manager, "S2", "T1", Decimal("22.5"), 0)
    assert (hours.inputs.managed_contracted_hours, hours.inputs.hours_version) == (
        Decimal("22.50"),
        1,
    )
    assert hours.inputs.hours_changed_by == "manager"
    actions = [row.action for row in audit_events(loaded, teams=["T1"]).rows]
    assert sorted(actions) == sorted(
        ["reduction added", "reduction changed", "reduction deleted", "contracted hours changed"]
    )
