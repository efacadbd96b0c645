"""The eligibility rules' pages in a real browser: an administrator saves a version by ticking
boxes, the only typing being the date, on a copy of the site (a new version would change the
rules every later test sees). (axe-core checks these pages with every other kind, in
test_accessibility.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import serving_a_copy, signed_in_page
from tests.browser.pages import Site, main_heading

pytestmark = pytest.mark.browser


def test_an_administrator_saves_a_version_by_ticking_boxes(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    with serving_a_copy(site, tmp_path) as copy:
        page = signed_in_page(browser, copy, "admin")
        try:
            _save_a_version(page)
        finally:
            page.context.close()


def _save_a_version(page: Page) -> None:
    page.goto("/admin/eligibility/new")
    page.get_by_label("PSO may be given tier C3", exact=True).uncheck()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2020")
    page.get_by_role("button", name="Save the rules").click()
    assert main_heading(page).inner_text().startswith("Eligibility rules version")
    page.goto("/admin/eligibility")
    pso = page.get_by_role("row", name="PSO")
    assert pso.get_by_role("cell").first.inner_text() == "C2 to D0, C3S to D0S, untiered"
