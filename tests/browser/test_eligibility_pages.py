"""The eligibility rules' pages in a real browser: axe-core finds nothing serious or critical,
and an administrator saves a version by ticking boxes, the only typing being the date."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.pages import Site, axe_violations, describe, main_heading

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("where", ["/admin/eligibility", "/admin/eligibility/new"])
def test_no_serious_accessibility_problems(
    site: Site, page: Page, signed_in: Callable[[str], Page], where: str
) -> None:
    signed_in("admin")
    page.goto(where)
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def test_an_administrator_saves_a_version_by_ticking_boxes(
    site: Site, page: Page, signed_in: Callable[[str], Page]
) -> None:
    signed_in("admin")
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
