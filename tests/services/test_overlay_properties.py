"""Whatever managers change, in whatever order, the figures an edit leaves are the figures a
fresh import of the same date gives: both lay the managed inputs over the import by the
engine's one rule."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.case_folders import write_folder
from tests.managers import team_manager
from wmt.services import inputs
from wmt.services.importing import import_case_folder
from wmt.services.inputs import EditConflict, InvalidInput, ReductionEntry
from wmt.store import schema
from wmt.store.transactions import Store

ON = date(2026, 11, 20)
OWNERS = [("S1", "T1"), ("S2", "T1"), ("S3", "T2")]
# What the snapshot stores for it, compared column by column (ids aside).
STORED = [
    schema.SnapshotStaff,
    schema.SnapshotReduction,
    schema.OwnerWorkload,
    schema.OwnerCaseload,
    schema.UnitWorkload,
    schema.QualityFinding,
]

hours = st.integers(min_value=1, max_value=80).map(lambda n: Decimal(n) / 4)
starts = st.integers(min_value=-60, max_value=30).map(lambda n: ON + timedelta(days=n))
lengths = st.one_of(st.none(), st.integers(min_value=0, max_value=90))
entries = st.builds(
    lambda reason, h, start, length: ReductionEntry(
        reason, h, start, None if length is None else start + timedelta(days=length)
    ),
    st.sampled_from(["Court duty", "Other", "Trade union facility time"]),
    hours,
    starts,
    lengths,
)
edits = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(OWNERS), entries),
    st.tuples(st.just("change"), st.integers(min_value=0, max_value=9), entries),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=9)),
    st.tuples(
        st.just("hours"),
        st.sampled_from(OWNERS),
        st.integers(min_value=20, max_value=150).map(lambda n: Decimal(n) / 4),
    ),
)


def _kept(store: Store) -> list[Any]:
    table = schema.table_of(schema.ManagedReduction)
    with store.reading() as connection:
        return list(connection.execute(select(table).order_by(table.c.id)))


def _edit(store: Store, edit: tuple[Any, ...]) -> None:
    kind, *rest = edit
    kept = _kept(store)
    if kind == "add":
        (staff_code, team_code), entry = rest
        inputs.add_reduction(store, team_manager(team_code), staff_code, team_code, entry)
    elif kind == "hours":
        (staff_code, team_code), contracted = rest
        version = inputs.owner_inputs(store, staff_code, team_code).hours_version
        inputs.set_contracted_hours(
            store, team_manager(team_code), staff_code, team_code, contracted, version
        )
    elif kept and kind == "change":
        row = kept[rest[0] % len(kept)]
        inputs.change_reduction(store, team_manager(row.team_code), row.id, row.version, rest[1])
    elif kept and kind == "delete":
        row = kept[rest[0] % len(kept)]
        inputs.delete_reduction(store, team_manager(row.team_code), row.id, row.version)


def _stored(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the snapshot of ON, without ids, in a fixed order."""
    snapshots = schema.table_of(schema.Snapshot)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with store.reading() as connection:
        snapshot_id = connection.execute(
            select(snapshots.c.id).where(snapshots.c.as_of == ON)
        ).scalar_one()
        for model in STORED:
            table = schema.table_of(model)
            columns = [c for c in table.columns if c.name not in ("id", "snapshot_id")]
            rows = connection.execute(select(*columns).where(table.c.snapshot_id == snapshot_id))
            found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


@pytest.fixture
def folder(store: Store, tmp_path: Path) -> Path:
    written = write_folder(tmp_path / "s")
    import_case_folder(store, written)
    return written


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(edits, min_size=1, max_size=5))
def test_reimporting_the_date_reproduces_every_figure_an_edit_left(
    store: Store, folder: Path, made: list[tuple[Any, ...]]
) -> None:
    for edit in made:
        # A refused edit changes nothing: the next one starts from the same state.
        with suppress(InvalidInput, EditConflict):
            _edit(store, edit)
    after_edits = _stored(store)
    import_case_folder(store, folder)
    assert _stored(store) == after_edits
