"""Managing hours and reductions through the pages, as a team manager does it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.sessions import PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store.transactions import Store


@pytest.fixture
def managers(app: FastAPI, store: Store) -> FastAPI:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T1")
    add_user(store, "deputy", PASSWORD, Role.TEAM_MANAGER, "T1")
    add_user(store, "other", PASSWORD, Role.TEAM_MANAGER, "T2")
    return app


def _client(app: FastAPI, username: str) -> TestClient:
    return signed_in(TestClient(app, base_url="https://testserver"), username)


@pytest.fixture
def manager(managers: FastAPI) -> Iterator[TestClient]:
    with _client(managers, "manager") as client:
        yield client


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _capacity(page: str, team: str = "T1") -> str:
    found = re.search(rf"In team {team}: <span[^>]*>([\d.]+) %", page)
    assert found is not None, page
    return found.group(1)


def _add(client: TestClient, **fields: str) -> object:
    form = client.get("/practitioner/S1/reductions/new?team=T1&reason=Court+duty").text
    data = {
        "csrf_token": _token(form),
        "team": "T1",
        "reason": "Court duty",
        "hours": "7.4",
        "start_date-day": "1",
        "start_date-month": "11",
        "start_date-year": "2026",
        "notes": "Tuesdays",
    } | fields
    return client.post("/practitioner/S1/reductions/new", data=data, follow_redirects=False)


def test_adding_a_reduction_changes_the_figure_and_the_team_at_once(manager: TestClient) -> None:
    page = manager.get("/practitioner/S1/overview").text
    before, team_before = _capacity(page), manager.get("/team/T1/overview?download=csv").text
    assert "Add a reduction" in page
    choose = manager.get("/practitioner/S1/reductions/new?team=T1").text
    assert "Why are their hours reduced?" in choose and "Court duty" in choose
    response = _add(manager)
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = manager.get("/practitioner/S1/overview").text
    assert "Reduction added: Court duty, 7.40 hours." in page
    assert float(_capacity(page)) > float(before)
    assert f"capacity is now {_capacity(page)} %" in page
    assert manager.get("/team/T1/overview?download=csv").text != team_before
    assert "Reduction added" not in manager.get("/practitioner/S1/overview").text
    audit = manager.get("/team/T1/audit").text
    assert "Reduction added" in audit and "Tuesdays" in audit


def test_the_allowance_pre_fills_hours_and_the_expiry_the_end_date(manager: TestClient) -> None:
    form = manager.get("/practitioner/S2/reductions/new?team=T1&reason=Maternity+leave").text
    assert 'name="hours" type="text" value="18.50"' in form
    assert re.search(r'id="end_date-year" name="end_date-year" [^>]*value="2027"', form)


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(manager: TestClient) -> None:
    response = _add(manager, hours="40", **{"start_date-month": "13"})
    text = response.text  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "There is a problem" in text and "Start date must be a real date" in text
    assert 'value="40"' in text
    assert "No changes have been made here yet." in manager.get("/team/T1/audit").text


def test_a_second_manager_saving_a_stale_form_is_refused_and_keeps_their_typing(
    managers: FastAPI, manager: TestClient
) -> None:
    _add(manager)
    page = manager.get("/practitioner/S1/overview").text
    change = re.search(r'href="(/practitioner/S1/reductions/(\d+)/change)"', page)
    assert change is not None
    with _client(managers, "deputy") as deputy:
        first_form = manager.get(change.group(1)).text
        second_form = deputy.get(change.group(1)).text
        fields = {
            "team": "T1",
            "reason": "Court duty",
            "start_date-day": "1",
            "start_date-month": "11",
            "start_date-year": "2026",
            "version": "1",
        }
        saved = manager.post(
            change.group(1),
            data=fields | {"csrf_token": _token(first_form), "hours": "5"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        refused = deputy.post(
            change.group(1), data=fields | {"csrf_token": _token(second_form), "hours": "2.5"}
        )
        assert refused.status_code == 409
        assert "manager changed this reduction" in refused.text
        assert "Your change was not saved" in refused.text
        assert 'value="2.5"' in refused.text and 'name="version" value="2"' in refused.text
    kept = manager.get("/practitioner/S1/overview").text
    assert ">5.00<" in kept and ">2.50<" not in kept


def test_deleting_and_changing_hours(manager: TestClient) -> None:
    _add(manager)
    page = manager.get("/practitioner/S1/overview").text
    delete = re.search(r'href="(/practitioner/S1/reductions/\d+/delete)"', page)
    assert delete is not None
    confirm = manager.get(delete.group(1)).text
    assert "Delete this reduction?" in confirm
    gone = manager.post(delete.group(1), data={"csrf_token": _token(confirm), "version": "1"})
    assert "Reduction deleted: Court duty." in gone.text
    form = manager.get("/practitioner/S2/hours?team=T1").text
    assert "The import gives 18.50 hours." in form
    changed = manager.post(
        "/practitioner/S2/hours",
        data={"csrf_token": _token(form), "team": "T1", "version": "0", "contracted_hours": "30"},
    )
    assert "Contracted hours changed to 30." in changed.text
    assert "contracted for 30.00 hours" in changed.text
    again = manager.post(
        "/practitioner/S2/hours",
        data={"csrf_token": _token(form), "team": "T1", "version": "0", "contracted_hours": "20"},
    )
    assert again.status_code == 409 and "Your change was not saved" in again.text


def test_only_the_teams_manager_may_change_inputs(managers: FastAPI, client: TestClient) -> None:
    with _client(managers, "other") as other:
        assert other.get("/practitioner/S1/reductions/new?team=T1").status_code == 403
        assert other.get("/practitioner/S1/hours?team=T1").status_code == 403
    national = client.get("/practitioner/S1/overview").text
    assert "Add a reduction" not in national and "change contracted hours" not in national
    assert client.get("/practitioner/S1/reductions/new?team=T1").status_code == 403
    with _client(managers, "manager") as manager:
        form = manager.get("/practitioner/S1/hours?team=T1").text
        forged = manager.post(
            "/practitioner/S1/hours",
            data={"csrf_token": "forged", "team": "T1", "version": "0", "contracted_hours": "1"},
        )
        assert forged.status_code == 403 and "Contracted hours" in form


def test_a_reduction_starting_after_the_newest_figures_says_when_it_counts(
    manager: TestClient,
) -> None:
    before = _capacity(manager.get("/practitioner/S1/overview").text)
    response = _add(manager, **{"start_date-day": "1", "start_date-month": "12"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = manager.get("/practitioner/S1/overview").text
    assert "starts on 01 December 2026, after the date of the newest figures" in page
    assert _capacity(page) == before
    assert "Scheduled" in page


def test_with_no_points_available_no_capacity_is_claimed(manager: TestClient) -> None:
    response = _add(manager, reason="Long term sickness absence", hours="37")
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = manager.get("/practitioner/S1/overview").text
    assert "no points available" in page and "nothing to divide the work by" in page
    assert "no points available" in manager.get("/team/T1/overview").text
