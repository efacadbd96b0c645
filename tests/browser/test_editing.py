"""A team manager changes a practitioner's inputs in a real browser: the figure and the team's
roll-up change at once, and a second manager's stale save is refused without losing anything.

Each test has a server and database of its own, since it changes what they hold."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import serving_a_copy, signed_in_page
from tests.browser.pages import (
    Site,
    axe_violations,
    capacity_in_table,
    describe,
    save_screenshot,
)
from tests.web.sessions import PASSWORD
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store.transactions import Store

pytestmark = pytest.mark.browser


@pytest.fixture
def own_site(site: Site, tmp_path: Path) -> Iterator[Site]:
    """The demo site on a copy of its database, with a second manager for the same team."""

    def add_deputy(store: Store) -> None:
        add_user(store, "deputy", PASSWORD, Role.TEAM_MANAGER, site.team.code)

    with serving_a_copy(site, tmp_path, add_deputy) as copy:
        yield copy


def _percent(text: str) -> float:
    return float(text.split("%")[0].strip())


def _add_court_duty(page: Page, site: Site, hours: str) -> None:
    page.goto(site.practitioner.path)
    page.get_by_role("link", name="Add a reduction").click()
    page.get_by_label("Court duty", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Hours a week").fill(hours)
    day, month, year = (page.get_by_label(part).first for part in ("Day", "Month", "Year"))
    start = site.as_of.split("-")  # from the date of the newest figures, so it counts in them
    for box, value in zip((year, month, day), start, strict=True):
        box.fill(value.lstrip("0"))
    page.get_by_role("button", name="Save reduction").click()


def test_a_reduction_changes_the_figure_and_the_team_at_once(
    browser: Browser, own_site: Site
) -> None:
    page = signed_in_page(browser, own_site, "team_manager")
    page.goto(own_site.team.path)
    name = own_site.practitioner.name
    before = _percent(capacity_in_table(page, name).inner_text())
    team_before = page.locator(".govuk-summary-list .wmt-band").first.inner_text()
    _add_court_duty(page, own_site, "10")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Reduction added: Court duty, 10.00 hours.")
    save_screenshot(page, "practitioner-after-a-reduction")
    now = page.locator("main h2", has_text="In team").first.inner_text()
    assert _percent(now.split(":")[1]) > before
    page.goto(own_site.team.path)
    after = _percent(capacity_in_table(page, name).inner_text())
    assert after == _percent(now.split(":")[1])
    assert page.locator(".govuk-summary-list .wmt-band").first.inner_text() != team_before
    page.goto(own_site.team.view("audit"))
    expect(page.locator("tbody")).to_contain_text("Reduction added")
    expect(page.locator("tbody")).to_contain_text("team_manager")
    page.context.close()


def test_the_second_of_two_managers_saving_the_same_reduction_is_refused(
    browser: Browser, own_site: Site
) -> None:
    first = signed_in_page(browser, own_site, "team_manager")
    _add_court_duty(first, own_site, "4")
    change = first.get_by_role("link", name="Change Court duty").first
    change_url = change.get_attribute("href")
    assert change_url is not None
    second = signed_in_page(browser, own_site, "deputy")
    first.goto(change_url)
    second.goto(change_url)
    first.get_by_label("Hours a week").fill("6")
    first.get_by_role("button", name="Save reduction").click()
    expect(first.locator(".govuk-notification-banner")).to_contain_text("6.00 hours")
    second.get_by_label("Hours a week").fill("2.5")
    second.get_by_role("button", name="Save reduction").click()
    summary = second.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your change was not saved")
    expect(summary).to_contain_text("team_manager changed this reduction")
    expect(second.get_by_label("Hours a week")).to_have_value("2.5")
    violations = axe_violations(second)
    assert not violations, describe(violations)
    save_screenshot(second, "edit-conflict")
    second.goto(own_site.practitioner.path)
    expect(second.locator("main")).to_contain_text("6.00")
    first.context.close()
    second.context.close()
