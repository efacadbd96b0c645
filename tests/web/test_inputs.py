"""Managing hours and reductions through the pages, as a team manager does it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from tests.web.sessions import PASSWORD, Page, form_token, read_page, signed_in_client
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store.transactions import Store
from wmt.web.inputs import CHANGE_UNKNOWN, DELETE_UNKNOWN, HOURS_UNKNOWN

ADD = "/practitioner/S1/reductions/new"


@pytest.fixture
def managers(app: FastAPI, store: Store) -> FastAPI:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T1")
    add_user(store, "deputy", PASSWORD, Role.TEAM_MANAGER, "T1")
    add_user(store, "other", PASSWORD, Role.TEAM_MANAGER, "T2")
    return app


@pytest.fixture
def manager(managers: FastAPI) -> Iterator[TestClient]:
    with signed_in_client(managers, "manager") as client:
        yield client


def _capacity(page: Page, team: str = "T1") -> str:
    found = re.search(rf"In team {team}: ([\d.]+) %", page.main)
    assert found is not None, page.main
    return found.group(1)


def _add(client: TestClient, **fields: str) -> Response:
    data = {
        "csrf_token": form_token(client, f"{ADD}?team=T1&reason=Court+duty"),
        "team": "T1",
        "reason": "Court duty",
        "hours": "7.4",
        "start_date-day": "1",
        "start_date-month": "11",
        "start_date-year": "2026",
        "notes": "Tuesdays",
    } | fields
    response: Response = client.post(ADD, data=data, follow_redirects=False)
    return response


def _practitioner(client: TestClient, staff: str = "S1") -> Page:
    return read_page(client.get(f"/practitioner/{staff}/overview"))


def _change_link(page: Page) -> str:
    return next(href for text, href in page.links.items() if text.startswith("Change Court"))


def test_adding_a_reduction_changes_the_figure_and_the_team_at_once(manager: TestClient) -> None:
    page = _practitioner(manager)
    before, team_before = _capacity(page), manager.get("/team/T1/overview?download=csv").text
    assert "Add a reduction" in page.links
    choose = read_page(manager.get(f"{ADD}?team=T1"))
    assert choose.heading.endswith("Why are their hours reduced?") and "Court duty" in choose.main
    assert _add(manager).status_code == 303
    page = _practitioner(manager)
    assert page.banner.startswith("Reduction added: Court duty, 7.40 hours.")
    assert float(_capacity(page)) > float(before)
    assert f"capacity is now {_capacity(page)} %" in page.banner
    assert manager.get("/team/T1/overview?download=csv").text != team_before
    assert _practitioner(manager).banner == ""  # said once
    audit = read_page(manager.get("/team/T1/audit")).main
    assert "reduction added" in audit.lower() and "Tuesdays" in audit


def test_the_allowance_pre_fills_hours_and_the_expiry_the_end_date(manager: TestClient) -> None:
    form = read_page(manager.get("/practitioner/S2/reductions/new?team=T1&reason=Maternity+leave"))
    assert form.inputs["hours"] == "18.50"
    assert form.inputs["end_date-year"] == str(int(form.inputs["start_date-year"]) + 1)


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(manager: TestClient) -> None:
    response = _add(manager, hours="40", **{"start_date-month": "13"})
    page = read_page(response)
    assert response.status_code == 400 and page.title.startswith("Error: ")
    assert page.errors == ["Start date must be a real date"]
    assert page.inline_errors == {"start_date": "Start date must be a real date"}
    assert page.inputs["hours"] == "40" and page.inputs["start_date-month"] == "13"
    assert "No changes have been made here yet." in read_page(manager.get("/team/T1/audit")).main


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"hours": "1e308"}, "hours", "Enter the hours as a number, like 7.5"),
        ({"hours": "NaN"}, "hours", "Enter the hours as a number, like 7.5"),
        ({"hours": "٤٠"}, "hours", "Enter the hours using the digits 0 to 9, like 7.5"),
        ({"hours": "４０"}, "hours", "Enter the hours using the digits 0 to 9, like 7.5"),
        ({"hours": "-0"}, "hours", "Enter the hours greater than 0"),
        ({"hours": "7.125"}, "hours", "Enter the hours with at most 2 decimal places, like 7.25"),
        ({"hours": "9" * 400}, "hours", "Hours cannot be more than the 37 contracted hours"),
        (
            {"start_date-year": "1999"},
            "start_date",
            "Start date must be between 1 January 2000 and 31 December 2099",
        ),
        ({"start_date-day": "٣"}, "start_date", "Start date must be a real date"),
        (
            {"end_date-day": "1", "end_date-month": "1", "end_date-year": "2100"},
            "end_date",
            "End date must be between 1 January 2000 and 31 December 2099",
        ),
        (
            {"notes": "a\x00b"},
            "notes",
            "Notes cannot contain a character that is not printed (U+0000); remove it",
        ),
        ({"notes": "x" * 1001}, "notes", "Notes must be 1,000 characters or fewer"),
        ({"reason": "Naps"}, "reason", "Select a reason from the list"),
    ],
)
def test_each_field_is_checked_and_the_form_comes_back_with_the_error(
    manager: TestClient, fields: dict[str, str], field: str, message: str
) -> None:
    response = _add(manager, **fields)
    page = read_page(response)
    assert response.status_code == 400
    assert page.errors == [message]
    if field != "reason":  # the reason is chosen on the page before, and kept hidden here
        assert page.inline_errors == {field: message}
    assert "No changes have been made here yet." in read_page(manager.get("/team/T1/audit")).main


def test_reductions_adding_up_to_more_than_the_contracted_hours_are_refused(
    manager: TestClient,
) -> None:
    hours = read_page(manager.get("/practitioner/S1/hours?team=T1")).inputs
    manager.post(
        "/practitioner/S1/hours",
        data={
            "csrf_token": hours["csrf_token"],
            "team": "T1",
            "version": "0",
            "contracted_hours": "40",
        },
    )
    assert _add(manager, hours="30").status_code == 303
    response = _add(manager, hours="24", **{"start_date-month": "12"})
    page = read_page(response)
    message = (
        "From 1 December 2026 these reductions would total 54 hours, more than the "
        "40 contracted hours"
    )
    assert response.status_code == 400
    assert page.errors == [message] and page.inline_errors == {"hours": message}
    assert page.inputs["hours"] == "24"
    # Cutting the hours below the 30 in force is refused the same way.
    form = read_page(manager.get("/practitioner/S1/hours?team=T1")).inputs
    cut = manager.post(
        "/practitioner/S1/hours",
        data={
            "csrf_token": form["csrf_token"],
            "team": "T1",
            "version": "1",
            "contracted_hours": "29",
        },
    )
    refused = read_page(cut)
    assert cut.status_code == 400 and refused.inline_errors == {
        "contracted_hours": "From 20 November 2026 their reductions total 30 hours, more than "
        "the 29 contracted hours entered: end or reduce reductions first"
    }
    assert refused.inputs["contracted_hours"] == "29"
    assert "contracted for 40.00 hours, less 30.00 hours" in _practitioner(manager).main


def test_a_second_manager_saving_a_stale_form_is_refused_and_keeps_their_typing(
    managers: FastAPI, manager: TestClient
) -> None:
    _add(manager)
    change = _change_link(_practitioner(manager))
    with signed_in_client(managers, "deputy") as deputy:
        first_form = read_page(manager.get(change)).inputs
        second_form = read_page(deputy.get(change)).inputs
        fields = {
            "team": "T1",
            "reason": "Court duty",
            "start_date-day": "1",
            "start_date-month": "11",
            "start_date-year": "2026",
            "version": "1",
        }
        saved = manager.post(
            change,
            data=fields | {"csrf_token": first_form["csrf_token"], "hours": "5"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        response = deputy.post(
            change, data=fields | {"csrf_token": second_form["csrf_token"], "hours": "2.5"}
        )
        refused = read_page(response)
        assert response.status_code == 409
        assert "manager changed this reduction" in refused.main
        assert "Your change was not saved" in refused.main
        assert refused.inputs["hours"] == "2.5" and refused.inputs["version"] == "2"
    kept = _practitioner(manager).main
    assert "Court duty 2026-11-01 no end date 5.00" in kept and "2.50" not in kept


@pytest.mark.parametrize("version", ["", "abc", "٣", "1.5", "-1", str(10**30)])
def test_a_form_with_no_real_version_saves_nothing_and_keeps_the_typing(
    manager: TestClient, version: str
) -> None:
    _add(manager)
    change = _change_link(_practitioner(manager))
    form = read_page(manager.get(change)).inputs
    response = manager.post(change, data=form | {"hours": "3", "version": version})
    page = read_page(response)
    assert response.status_code == 400
    assert page.errors == [CHANGE_UNKNOWN]
    assert page.inputs["hours"] == "3" and page.inputs["version"] == "1"
    delete = change.replace("/change", "/delete")
    confirm = read_page(manager.get(delete)).inputs
    refused = manager.post(delete, data=confirm | {"version": version})
    assert refused.status_code == 400 and read_page(refused).errors == [DELETE_UNKNOWN]
    hours = read_page(manager.get("/practitioner/S2/hours?team=T1")).inputs
    kept = manager.post(
        "/practitioner/S2/hours", data=hours | {"version": version, "contracted_hours": "20"}
    )
    assert kept.status_code == 400 and read_page(kept).inputs["contracted_hours"] == "20"
    assert read_page(kept).errors == [HOURS_UNKNOWN]
    audit = read_page(manager.get("/team/T1/audit")).main.lower()
    assert audit.count("reduction added") == 1
    assert "reduction changed" not in audit and "hours changed" not in audit


@pytest.mark.parametrize("number", ["abc", "0", "-1", "٣", str(2**31), str(10**30)])
def test_a_reduction_number_no_reduction_could_have_is_not_found(
    manager: TestClient, number: str
) -> None:
    for action in ("change", "delete"):
        response = manager.get(f"/practitioner/S1/reductions/{number}/{action}")
        page = read_page(response)
        assert response.status_code == 404 and page.heading == "Sorry, we cannot show that"
        assert "There is no reduction" in page.main


def test_deleting_and_changing_hours(manager: TestClient) -> None:
    _add(manager)
    delete = next(
        href for text, href in _practitioner(manager).links.items() if text.startswith("Delete")
    )
    confirm = read_page(manager.get(delete))
    assert confirm.heading == "Delete this reduction?"
    gone = manager.post(delete, data={"csrf_token": confirm.inputs["csrf_token"], "version": "1"})
    assert read_page(gone).banner.startswith("Reduction deleted: Court duty.")
    form = read_page(manager.get("/practitioner/S2/hours?team=T1"))
    assert "The import gives 18.50 hours." in form.main
    fields = {"csrf_token": form.inputs["csrf_token"], "team": "T1", "version": "0"}
    changed = read_page(
        manager.post("/practitioner/S2/hours", data=fields | {"contracted_hours": "30"})
    )
    assert changed.banner.startswith("Contracted hours changed to 30.")
    assert "contracted for 30.00 hours" in changed.main
    again = manager.post("/practitioner/S2/hours", data=fields | {"contracted_hours": "20"})
    assert again.status_code == 409 and "Your change was not saved" in read_page(again).main


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e308", "Enter contracted hours as a number, like 7.5"),
        ("Infinity", "Enter contracted hours as a number, like 7.5"),
        ("３７", "Enter contracted hours using the digits 0 to 9, like 7.5"),
        ("48.01", "Enter hours more than 0 and at most 48"),
        ("0", "Enter contracted hours greater than 0"),
    ],
)
def test_contracted_hours_out_of_range_are_refused_beside_the_field(
    manager: TestClient, typed: str, message: str
) -> None:
    form = read_page(manager.get("/practitioner/S2/hours?team=T1")).inputs
    response = manager.post("/practitioner/S2/hours", data=form | {"contracted_hours": typed})
    page = read_page(response)
    assert response.status_code == 400
    assert page.errors == [message] and page.inline_errors == {"contracted_hours": message}
    assert page.inputs["contracted_hours"] == typed


def test_only_the_teams_manager_may_change_inputs(managers: FastAPI, client: TestClient) -> None:
    with signed_in_client(managers, "other") as other:
        refused = other.get(f"{ADD}?team=T1")
        assert refused.status_code == 403
        assert read_page(refused).main == (
            "Sorry, we cannot show that Only the manager of the practitioner's team can change "
            "their hours and reductions. Go to your overview"
        )
        assert other.get("/practitioner/S1/hours?team=T1").status_code == 403
    national = _practitioner(client)
    assert "Add a reduction" not in national.links
    assert not any(text.startswith("change contracted hours") for text in national.links)
    assert client.get(f"{ADD}?team=T1").status_code == 403
    with signed_in_client(managers, "manager") as manager:
        form = read_page(manager.get("/practitioner/S1/hours?team=T1"))
        forged = manager.post(
            "/practitioner/S1/hours",
            data={"csrf_token": "forged", "team": "T1", "version": "0", "contracted_hours": "1"},
        )
        assert forged.status_code == 403 and form.heading == "Contracted hours"


def test_a_reduction_starting_after_the_newest_figures_says_when_it_counts(
    manager: TestClient,
) -> None:
    before = _capacity(_practitioner(manager))
    response = _add(manager, **{"start_date-day": "1", "start_date-month": "12"})
    assert response.status_code == 303
    page = _practitioner(manager)
    assert "starts on 01 December 2026, after the date of the newest figures" in page.banner
    assert _capacity(page) == before
    assert "Scheduled" in page.main


def test_with_no_points_available_no_capacity_is_claimed(manager: TestClient) -> None:
    response = _add(manager, reason="Long term sickness absence", hours="37")
    assert response.status_code == 303
    page = _practitioner(manager)
    assert "no points available" in page.main and "nothing to divide the work by" in page.main
    assert "no points available" in read_page(manager.get("/team/T1/overview")).main
