"""Full-page pictures of the main pages, in WMT_SCREENSHOTS (default build/screenshots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALLOCATING_MANAGER
from tests.browser.pages import Site, main_heading, save_screenshot, sign_in

pytestmark = pytest.mark.browser


def test_screenshots_of_the_main_pages(site: Site, page: Page) -> None:
    page.goto("/sign-in")
    saved = [save_screenshot(page, "sign-in")]
    sign_in(page, "national")
    for name, where in (
        ("national-overview", site.national.path),
        ("region-overview", site.region.path),
        ("team-overview", site.team.path),
        ("practitioner", site.practitioner.path),
        ("history", site.team.view("history")),
        ("caseload", site.team.view("caseload")),
        ("signals", site.region.view("signals")),
    ):
        response = page.goto(where)
        assert response is not None and response.status == 200, where
        expect(main_heading(page)).not_to_be_empty()
        saved.append(save_screenshot(page, name))
    page.context.clear_cookies()
    sign_in(page, "team_manager")
    for name, where in (
        ("practitioner-as-manager", site.practitioner.path),
        (
            "reduction-reasons",
            f"/practitioner/{site.practitioner.code}/reductions/new?team={site.team.code}",
        ),
    ):
        page.goto(where)
        saved.append(save_screenshot(page, name))
    page.context.clear_cookies()
    sign_in(page, ALLOCATING_MANAGER)
    for name, where in (
        ("allocation-queue", site.allocating_team.view("allocation")),
        ("allocation-candidates", site.waiting.candidates_path),
        ("allocation-confirm", site.waiting.confirm_path),
        ("allocation-plan", site.allocating_team.view("allocation/plan")),
        ("allocation-rebalance", site.allocating_team.view("allocation/rebalance")),
    ):
        page.goto(where)
        expect(main_heading(page)).not_to_be_empty()
        saved.append(save_screenshot(page, name))
    page.context.clear_cookies()
    sign_in(page, "admin")
    for name, where in (("admin-points", "/admin/points/1"), ("admin-users", "/admin/users")):
        page.goto(where)
        saved.append(save_screenshot(page, name))
    for path in saved:
        assert path.read_bytes().startswith(b"\x89PNG"), path
