"""Locking a case through the service: saved and removed with their audit events, who may,
the second of two managers told it was done, and a rebalance that never moves a locked case.

The test snapshot (2026-11-20): X000001 is held by S1 in team T1; X000005 by S3 in team T2;
X000006 waits in T2; both teams are in PDU P1, in region R1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.case_folders import replace_line, write_folder
from tests.conftest import copied_store
from tests.services.test_allocation_plans import queued  # noqa: F401 (fixture)
from tests.web.conftest import imported_postgres, imported_sqlite  # noqa: F401 (fixtures)
from wmt.domain.access import Role, Viewer
from wmt.errors import NotFound
from wmt.services.allocation_plans import held_cases, rebalance_unit
from wmt.services.case_locks import lock_case, unlock_case
from wmt.services.importing import import_case_folder
from wmt.services.saving import EditConflict, InvalidInput, NotPermitted
from wmt.services.scope import NOT_FOUND
from wmt.store import schema
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store

T1_MANAGER = Viewer("tom", Role.TEAM_MANAGER, "T1")
T2_MANAGER = Viewer("tina", Role.TEAM_MANAGER, "T2")
HEAD_OF_PDU = Viewer("pat", Role.HEAD_OF_PDU, "P1")
REGIONAL_LEAD = Viewer("rex", Role.REGIONAL_LEAD, "R1")
PRACTITIONER = Viewer("ada", Role.PRACTITIONER, "S1")


@pytest.fixture
def held(database_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store holding the test snapshot (copied, not imported)."""
    yield from copied_store(database_url, request, "imported_sqlite", "imported_postgres")


def _locks(store: Store) -> list[tuple[str, str, str, str | None]]:
    table = schema.table_of(schema.CaseLock)
    with store.reading() as connection:
        rows = connection.execute(select(table).order_by(table.c.crn)).all()
    return [(row.crn, row.team_code, row.locked_by, row.note) for row in rows]


def _audit(store: Store) -> list[tuple[str, str, str, str | None, dict[str, object] | None]]:
    table = schema.table_of(schema.AuditEvent)
    with store.reading() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).all()
    return [
        (row.username, row.action, row.subject, row.staff_code, json.loads(row.after or "null"))
        for row in rows
    ]


def test_a_lock_is_saved_and_audited_and_unlocking_removes_it(held: Store) -> None:
    locked = lock_case(held, T1_MANAGER, "X000001", "Court date next week ")
    assert (locked.crn, locked.staff_code, locked.team_code, locked.note) == (
        "X000001",
        "S1",
        "T1",
        "Court date next week",
    )
    assert _locks(held) == [("X000001", "T1", "tom", "Court date next week")]
    removed = unlock_case(held, HEAD_OF_PDU, "X000001")
    assert (removed.locked_by, removed.locked_at) == ("tom", locked.locked_at)
    assert _locks(held) == []
    events = _audit(held)
    assert [event[:4] for event in events] == [
        ("tom", "lock of a case", "case X000001", "S1"),
        ("pat", "unlock of a case", "case X000001", "S1"),
    ]
    assert events[0][4] == {
        "crn": "X000001",
        "team_code": "T1",
        "locked_by": "tom",
        "locked_at": locked.locked_at.isoformat(),
        "note": "Court date next week",
    }
    assert events[1][4] is None


def test_the_second_manager_to_lock_or_unlock_is_told_it_was_done(held: Store) -> None:
    lock_case(held, T1_MANAGER, "X000001")
    with pytest.raises(EditConflict, match=r"^X000001 was locked by tom at .* UTC; nothing"):
        lock_case(held, HEAD_OF_PDU, "X000001")
    unlock_case(held, T1_MANAGER, "X000001")
    with pytest.raises(EditConflict, match=r"^X000001 is not locked; nothing was saved\.$"):
        unlock_case(held, HEAD_OF_PDU, "X000001")
    assert len(_audit(held)) == 2


@pytest.mark.parametrize(
    ("viewer", "refusal"),
    [
        (T2_MANAGER, NotFound),  # cannot see team T1
        (PRACTITIONER, NotFound),
        (REGIONAL_LEAD, NotPermitted),
        (Viewer("nat", Role.NATIONAL, "national"), NotPermitted),
        (Viewer("root", Role.ADMIN, "national"), NotPermitted),
    ],
)
def test_only_the_teams_manager_or_head_of_pdu_may_lock(
    held: Store, viewer: Viewer, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        lock_case(held, viewer, "X000001")
    lock_case(held, T1_MANAGER, "X000001")
    with pytest.raises(refusal):
        unlock_case(held, viewer, "X000001")
    assert _locks(held) == [("X000001", "T1", "tom", None)]


def test_a_case_nobody_holds_cannot_be_locked_and_is_not_found_alike(held: Store) -> None:
    for crn in ("X000006", "X999999"):  # waiting; not there
        with pytest.raises(NotFound) as refused:
            lock_case(held, T2_MANAGER, crn)
        assert str(refused.value) == NOT_FOUND
    with pytest.raises(InvalidInput) as too_long:
        lock_case(held, T1_MANAGER, "X000001", "x" * 1001)
    assert too_long.value.errors == {"note": "The note must be 1,000 characters or fewer"}
    assert _locks(held) == []


def test_held_cases_say_which_are_locked(held: Store) -> None:
    lock_case(held, T2_MANAGER, "X000005")
    with held.reading() as connection:
        found = held_cases(connection, require_snapshot(connection, None).id, ["T1", "T2"])
    assert dict(zip(found["crn"], found["locked"], strict=True)) == {
        "X000001": False,
        "X000002": False,
        "X000003": False,
        "X000004": False,
        "X000005": True,
    }


def test_a_rebalance_never_moves_a_locked_case(queued: Store) -> None:  # noqa: F811
    first = rebalance_unit(queued, HEAD_OF_PDU, "P1", target=Decimal("10"), time_limit=2)
    moved = {move.crn for move in first.rebalance.moves}
    assert moved
    for crn in moved:
        lock_case(queued, HEAD_OF_PDU, crn)
    again = rebalance_unit(queued, HEAD_OF_PDU, "P1", target=Decimal("10"), time_limit=2)
    assert moved.isdisjoint(move.crn for move in again.rebalance.moves)


def test_a_lock_lapses_when_the_case_leaves_its_team(held: Store, tmp_path: Path) -> None:
    lock_case(held, T1_MANAGER, "X000001")
    moved = {
        **replace_line("cases.csv", "X000001,S1,T1", "X000001,S3,T2"),
        "snapshot.txt": "2026-11-27\n",
    }
    import_case_folder(held, write_folder(tmp_path / "later", moved))
    with held.reading() as connection:
        found = held_cases(connection, require_snapshot(connection, None).id, ["T2"])
    assert dict(zip(found["crn"], found["locked"], strict=True))["X000001"] is False
    with pytest.raises(EditConflict, match="is not locked"):
        unlock_case(held, T2_MANAGER, "X000001")
    lock_case(held, T2_MANAGER, "X000001")
    assert _locks(held) == [("X000001", "T2", "tina", None)]
