"""The practitioner's page and the API state the engine's own figures: hours available after
reductions, cases scored by tier, and how far over their time someone is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.managers import team_manager
from tests.web.sessions import read_page
from wmt.services import inputs
from wmt.services.inputs import ReductionEntry
from wmt.store.transactions import Store

ON_LEAVE = ReductionEntry("Court duty", Decimal(30), date(2026, 11, 1), None)


def test_an_overloaded_practitioner_reads_the_engines_figures(
    client: TestClient, store: Store
) -> None:
    inputs.add_reduction(store, team_manager("T1"), "S1", "T1", ON_LEAVE)
    team = client.get("/api/practitioner/S1/overview").json()["teams"][0]
    time = team["time"]
    assert Decimal(time["hours_available"]) == Decimal(time["contracted_hours"]) - Decimal(
        time["reduction_hours"]
    )
    scored = next(part for part in team["points"] if part["part"] == "cases")
    assert scored["cases"] == team["caseload"] - team["t2a_cases"] > 0
    assert team["remaining_points"] < 0

    text = read_page(client.get("/practitioner/S1/overview")).main
    assert f"which leaves {Decimal(time['hours_available'])} hours" in text
    assert f"{scored['cases']} cases scored by their tier and type" in text
    over = -team["remaining_points"]
    assert f"That is {over:,} points more than the time available." in text
