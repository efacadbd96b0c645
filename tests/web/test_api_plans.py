"""The plans' API answers what the command line writes, field for field, and the solver's
seconds; its parameters are checked like any other."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.services.test_allocation_plans import LEAVING, RECENT
from tests.services.test_allocation_queue import ON, QUEUED_CASES, allocation_folder
from wmt.cli.allocation import leaving_object, plan_object, rebalance_object
from wmt.services.allocation_plans import rebalance_unit, suggest
from wmt.services.allocation_what_if import what_if_leaves
from wmt.services.importing import import_case_folder
from wmt.services.scope import OPERATOR
from wmt.store.transactions import Store


@pytest.fixture
def queued(client: TestClient, store: Store, tmp_path: Path) -> TestClient:
    import_case_folder(store, allocation_folder(tmp_path / "now", ON, QUEUED_CASES + RECENT))
    return client


def without_seconds(body: dict[str, object]) -> dict[str, object]:
    assert isinstance(body.pop("seconds"), float)
    return body


def test_a_plan_is_the_commands_object_and_its_seconds(queued: TestClient, store: Store) -> None:
    answer = queued.get("/api/allocation/pdu/P1/plan?allow_over=true&time_limit=2")
    assert answer.status_code == 200, answer.json()
    plan = suggest(store, OPERATOR, "P1", None, time_limit=2).plan
    assert without_seconds(answer.json()) == plan_object(plan)
    ceiling = queued.get("/api/allocation/team/T1/plan?ceiling=1&time_limit=1").json()
    assert [row["crn"] for row in ceiling["unplaced"]] == ["Q1", "Q5"]


def test_a_rebalance_is_the_commands_object_and_its_seconds(
    queued: TestClient, store: Store
) -> None:
    answer = queued.get("/api/allocation/pdu/P1/rebalance?target=10&max_moves=1&time_limit=2")
    assert answer.status_code == 200, answer.json()
    found = rebalance_unit(store, OPERATOR, "P1", Decimal(10), 1, time_limit=2).rebalance
    assert without_seconds(answer.json()) == rebalance_object(found)


def test_what_if_someone_leaves_is_the_commands_object_and_its_seconds(
    queued: TestClient, store: Store
) -> None:
    url = "/api/allocation/practitioner/S2/what-if-leave?team_code=T1&from=2026-12-01"
    answer = queued.get(f"{url}&allow_over=true&time_limit=2")
    assert answer.status_code == 200, answer.json()
    found = what_if_leaves(store, OPERATOR, "S2", "T1", LEAVING, ceiling=None, time_limit=2)
    assert without_seconds(answer.json()) == leaving_object(found)


def test_wrong_parameters_are_named(queued: TestClient) -> None:
    for url, field in (
        ("/api/allocation/team/T1/plan?ceiling=abc", "ceiling"),
        ("/api/allocation/team/T1/plan?time_limit=600", "time_limit"),
        ("/api/allocation/team/T1/rebalance?max_moves=-1", "max_moves"),
        ("/api/allocation/practitioner/S1/what-if-leave?team_code=T1&from=soon", "from"),
    ):
        answer = queued.get(url)
        assert answer.status_code == 422 and field in answer.json()["errors"], (url, answer.json())
    region = queued.get("/api/allocation/region/R1/plan")
    assert region.status_code == 400
    assert region.json()["detail"].startswith("A plan is for a team or a PDU")
    assert queued.get("/api/allocation/practitioner/S1/plan").status_code == 404
