"""`wmt allocate` and `wmt allocation decisions`: a decision recorded as an account that may
allocate, the case leaving the queue, clear refusals, and the decisions listed as
allocation.md says."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import run_wmt
from tests.services.test_allocation_queue import ON, allocation_folder
from wmt.domain.access import Role, Viewer
from wmt.services.accounts import add_user
from wmt.services.allocating import AllocationRequest, proposal
from wmt.services.allocation_decisions import DECISION_COLUMNS
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store


@pytest.fixture
def queued(store: Store, database_url: str, tmp_path: Path) -> str:
    import_case_folder(store, allocation_folder(tmp_path / "now", ON))
    add_user(store, "tom", None, Role.TEAM_MANAGER, "T1")
    add_user(store, "nat", None, Role.NATIONAL, "national")
    return database_url


def _queue(db: str) -> list[str]:
    done = run_wmt("allocation", "queue", "--unit", "T1", "--format", "json", db=db)
    return [row["crn"] for row in json.loads(done.stdout)]


def test_allocating_takes_the_case_out_of_the_queue_and_prints_the_engines_figures(
    queued: str, store: Store
) -> None:
    expected = proposal(
        store, Viewer("tom", Role.TEAM_MANAGER, "T1"), AllocationRequest("Q1", "S1")
    )
    assert "Q1" in _queue(queued)
    done = run_wmt("allocate", "Q1", "S1", "--note", "Seen at court", "--by", "tom", db=queued)
    assert done.exit_code == 0, done.stderr
    assert (
        done.stdout.split()
        == (
            "Allocation recorded: Q1 to Ada Brown (S1, T1) on the snapshot of 2026-11-20. Their "
            f"capacity goes from {expected.capacity_before} % to {expected.capacity_after} %."
        ).split()
    )
    assert "Q1" not in _queue(queued)
    listed = run_wmt("allocation", "decisions", "--unit", "T1", "--format", "csv", db=queued)
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert list(rows[0]) == list(DECISION_COLUMNS)
    assert [(r["crn"], r["to_staff_code"], r["notes"], r["status"]) for r in rows] == [
        ("Q1", "S1", "Seen at court", "pending")
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Q1", "S1", "--by", "nobody"], "There is no account 'nobody' in use"),
        (["Q1", "S1", "--by", "nat"], "Only the manager of the case's team"),
        (["X000001", "S2", "--by", "tom"], "Select why the case is being reallocated"),
        (["Q1", "S1", "--reason", "Whim", "--by", "tom"], "'Whim' is not a reason"),
    ],
)
def test_a_refused_allocation_says_why_and_records_nothing(
    queued: str, arguments: list[str], message: str
) -> None:
    done = run_wmt("allocate", *arguments, db=queued)
    assert done.exit_code == 1
    assert done.stderr.startswith(message)
    listed = run_wmt("allocation", "decisions", "--format", "json", db=queued)
    assert json.loads(listed.stdout) == []
