"""Allocating a case in a real browser: a team manager goes from the queue to a practitioner
and the figures change at once; of two managers confirming the same case the second is
refused; the decisions page lists the decision and its CSV download opens.

Each test has a server and database of its own, since allocating changes what they hold."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import ALLOCATING_MANAGER, serving_a_copy, signed_in_page
from tests.browser.pages import Site, axe_violations, capacity_in_table, describe
from wmt.domain.access import Role, Viewer
from wmt.services.allocating import AllocationRequest, allocate
from wmt.store.transactions import Store

pytestmark = pytest.mark.browser

NOTE = "Known to the approved premises; first appointment there."


@pytest.fixture
def own_site(site: Site, tmp_path: Path) -> Iterator[Site]:
    """The demo site on a copy of its database."""
    with serving_a_copy(site, tmp_path) as copy:
        yield copy


@pytest.fixture
def site_with_a_decision(site: Site, tmp_path: Path) -> Iterator[Site]:
    """The demo site on a copy of its database in which the allocating team's manager has
    given the longest-waiting case to the practitioner offered first, with a note."""
    waiting = site.waiting
    manager = Viewer(ALLOCATING_MANAGER, Role.TEAM_MANAGER, site.allocating_team.code)

    def decide(store: Store) -> None:
        wanted = AllocationRequest(
            crn=waiting.crn, staff_code=waiting.staff_code, team_code=waiting.team_code, notes=NOTE
        )
        allocate(store, manager, wanted)

    with serving_a_copy(site, tmp_path, decide) as copy:
        yield copy


def _queue_rows(page: Page) -> Locator:
    return page.locator("#queue tbody tr")


def _cells(row: Locator) -> list[str]:
    return [text.strip() for text in row.get_by_role("cell").all_inner_texts()]


def test_a_manager_allocates_from_the_queue_and_the_figures_change_at_once(
    browser: Browser, own_site: Site
) -> None:
    team, case = own_site.allocating_team, own_site.waiting
    page = signed_in_page(browser, own_site, ALLOCATING_MANAGER)
    page.get_by_role("link", name="Cases waiting for allocation").click()
    expect(page).to_have_url(own_site.url(team.view("allocation")))
    waiting_before = _queue_rows(page).count()
    page.locator("#queue").get_by_role("link", name=case.crn, exact=True).click()

    offered = page.locator("#eligible tbody tr").first
    expect(offered.get_by_role("link", name=case.name, exact=True)).to_be_visible()
    capacity = offered.get_by_role("cell").nth(3).locator(".wmt-band")
    expect(capacity).to_have_text([f"{case.capacity_before} %", f"{case.capacity_after} %"])
    offered.get_by_role("link", name=f"Allocate to {case.staff_code}").click()

    expect(page.locator("main h1")).to_contain_text(f"{case.crn} ({case.tier}) to {case.name}")
    expect(page.locator("#workload-change")).to_have_text(
        f"This will increase their workload from {case.capacity_before} % "
        f"to {case.capacity_after} %."
    )
    page.get_by_role("button", name="Allocate case").click()

    expect(page).to_have_url(own_site.url(team.path))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{case.crn} allocated to {case.name}. Their capacity is now {case.capacity_after} % "
        f"(it was {case.capacity_before} %)."
    )
    expect(capacity_in_table(page, case.name)).to_have_text(f"{case.capacity_after} %")
    page.goto(team.view("allocation"))
    expect(_queue_rows(page)).to_have_count(waiting_before - 1)
    expect(page.get_by_role("link", name=case.crn, exact=True)).to_have_count(0)
    page.context.close()


def test_the_second_of_two_managers_confirming_the_same_case_is_refused(
    browser: Browser, own_site: Site
) -> None:
    case = own_site.waiting
    first = signed_in_page(browser, own_site, ALLOCATING_MANAGER)
    second = signed_in_page(browser, own_site, "head_of_pdu")
    first.goto(case.confirm_path)
    second.goto(case.confirm_path)
    first.get_by_role("button", name="Allocate case").click()
    expect(first.locator(".govuk-notification-banner")).to_contain_text(case.crn)

    second.get_by_label("Allocation notes (optional)").fill(NOTE)
    second.get_by_role("button", name="Allocate case").click()
    summary = second.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The case was not allocated")
    expect(summary).to_contain_text(
        f"{case.crn} was allocated to {case.staff_code} ({case.team_code}) by {ALLOCATING_MANAGER}"
    )
    expect(summary).to_contain_text("nothing was saved")
    expect(second.get_by_label("Allocation notes (optional)")).to_have_value(NOTE)
    violations = axe_violations(second)
    assert not violations, describe(violations)

    second.goto(own_site.allocating_team.view("allocation/decisions"))
    (decision,) = second.locator("main table tbody tr").all()
    cells = _cells(decision)
    assert cells[1:3] == [case.crn, f"{case.staff_code} ({case.team_code})"]
    assert cells[5] == ALLOCATING_MANAGER
    assert cells[7] == ""  # the refused manager's note was not kept
    first.context.close()
    second.context.close()


def test_the_decisions_page_lists_the_decision_and_its_csv_opens(
    browser: Browser, site_with_a_decision: Site, tmp_path: Path
) -> None:
    site, case = site_with_a_decision, site_with_a_decision.waiting
    page = signed_in_page(browser, site, ALLOCATING_MANAGER)
    page.goto(site.allocating_team.view("allocation/decisions"))
    (decision,) = page.locator("main table tbody tr").all()
    assert _cells(decision)[1:] == [
        case.crn,
        f"{case.staff_code} ({case.team_code})",
        "Waiting",
        "Allocate to a responsible officer",
        ALLOCATING_MANAGER,
        "Pending",
        NOTE,
    ]
    violations = axe_violations(page)
    assert not violations, describe(violations)

    with page.expect_download() as started:
        page.get_by_role("link", name="Download CSV").click()
    download = started.value
    assert download.failure() is None
    name = f"team-{site.allocating_team.code}-allocation-decisions.csv"
    assert download.suggested_filename == name
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as opened:
        (row,) = csv.DictReader(opened)
    assert {key: row[key] for key in ("crn", "to_staff_code", "to_team_code", "notes")} == {
        "crn": case.crn,
        "to_staff_code": case.staff_code,
        "to_team_code": case.team_code,
        "notes": NOTE,
    }
    assert (row["kind"], row["username"], row["status"]) == (
        "allocation",
        ALLOCATING_MANAGER,
        "pending",
    )
    page.context.close()


def test_a_manager_accepts_a_suggested_plan_and_the_figures_are_the_plans(
    browser: Browser, own_site: Site
) -> None:
    team = own_site.allocating_team
    page = signed_in_page(browser, own_site, ALLOCATING_MANAGER)
    page.goto(team.view("allocation"))
    waiting_before = _queue_rows(page).count()
    page.get_by_role("link", name="Suggest a plan for these cases").click()
    # The demo's teams run over the ceiling, as the service does: allow going over.
    page.get_by_label("Allow going over the ceiling", exact=False).check()
    page.get_by_role("button", name="Suggest a plan").click()
    placements = page.locator("#placements tbody tr")
    placed = placements.count()
    assert placed > 0
    after = {
        row.get_by_role("link").inner_text(): row.locator(".wmt-band").nth(1).inner_text()
        for row in placements.all()
    }  # each practitioner's capacity once the whole plan is accepted
    page.get_by_role("button", name="Accept all").click()

    expect(page).to_have_url(own_site.url(team.view("allocation")))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{placed} cases allocated")
    expect(_queue_rows(page)).to_have_count(waiting_before - placed)
    for staff_code, capacity in after.items():
        found = page.request.get(f"/api/practitioner/{staff_code}/overview").json()
        (figure,) = [t for t in found["teams"] if t["team_code"] == team.code]
        assert f"{figure['capacity_percent']} %" == capacity, staff_code
    page.context.close()
