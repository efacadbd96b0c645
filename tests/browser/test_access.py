"""Signing in through a real browser, and who lands where and what they are refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import Site, main_heading, sign_in

pytestmark = pytest.mark.browser


def test_the_session_cookie_is_secure_and_still_works_on_loopback_http(
    site: Site, page: Page
) -> None:
    sign_in(page, "national")
    expect(page).to_have_url(site.url(site.national.path))
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "wmt_session"]
    assert cookie["secure"] is True
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_a_wrong_password_is_refused_with_an_error_summary(site: Site, page: Page) -> None:
    sign_in(page, "national", "not the password at all")
    expect(page).to_have_url(site.url("/sign-in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    page.goto("/")
    expect(page).to_have_url(site.url("/sign-in?next=/"))


def test_a_team_manager_cannot_open_another_teams_page(site: Site, page: Page) -> None:
    sign_in(page, "team_manager")
    expect(page).to_have_url(site.url(site.team.path))
    expect(main_heading(page)).to_have_text(site.team.name)

    response = page.goto(site.other_team.path)
    assert response is not None and response.status == 404  # as if there were no such team
    expect(main_heading(page)).to_have_text("Sorry, we cannot show that")
    expect(page.locator("main")).to_contain_text("Page not found.")
    expect(page.locator("main")).not_to_contain_text(site.other_team.name)
    expect(page).to_have_title("Sorry, we cannot show that – wmt")
    page.get_by_role("link", name="Go to your overview").click()
    expect(page).to_have_url(site.url(site.team.path))

    response = page.goto(site.other_team.view("caseload") + "?download=csv")
    assert response is not None and response.status == 404


def test_a_practitioner_lands_on_their_own_page_and_nowhere_else(site: Site, page: Page) -> None:
    page.goto("/")
    sign_in(page, "practitioner")
    expect(page).to_have_url(site.url(site.practitioner.path))
    expect(main_heading(page)).to_have_text(site.practitioner.name)

    response = page.goto(site.team.path)
    assert response is not None and response.status == 404
    expect(main_heading(page)).to_have_text("Sorry, we cannot show that")
