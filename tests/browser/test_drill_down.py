"""A national user follows links from the national figure down to one practitioner's."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import Site, capacity_figure, capacity_in_table, main_heading, sign_in

pytestmark = pytest.mark.browser


def test_a_national_user_drills_down_to_a_practitioner_and_their_figure_is_explained(
    site: Site, page: Page
) -> None:
    page.goto("/")
    expect(page).to_have_url(site.url("/sign-in?next=/"))
    sign_in(page, "national")

    expect(page).to_have_url(site.url(site.national.path))
    expect(main_heading(page)).to_have_text(site.national.name)
    expect(capacity_figure(page)).to_have_text(f"{site.national.capacity} %")

    # National → region → PDU → team, each reached by its link in the table one level up.
    for parent, child in itertools.pairwise(site.descent[:-1]):
        expect(capacity_in_table(page, child.name)).to_have_text(f"{child.capacity} %")
        page.locator("tbody").get_by_role("link", name=child.name, exact=True).click()
        expect(page).to_have_url(site.url(child.path))
        expect(main_heading(page)).to_have_text(child.name)
        expect(capacity_figure(page)).to_have_text(f"{child.capacity} %")
        trail = page.get_by_role("navigation", name="Breadcrumb")
        expect(trail.get_by_role("link", name=parent.name, exact=True)).to_have_attribute(
            "href", parent.path
        )

    person = site.practitioner
    expect(capacity_in_table(page, person.name)).to_have_text(f"{person.capacity} %")
    page.locator("tbody").get_by_role("link", name=person.name, exact=True).click()
    expect(page).to_have_url(site.url(person.path))
    expect(main_heading(page)).to_have_text(person.name)
    in_team = page.locator("main h2").first
    expect(in_team).to_contain_text(f"In team {site.team.code}:")
    expect(in_team.locator(".wmt-band")).to_have_text(f"{person.capacity} %")
    expect(page.get_by_role("table").first).to_contain_text("Where the points come from")
    explanation = page.locator("p", has_text="Capacity is the work divided by the points available")
    expect(explanation).to_contain_text(f"= {person.capacity} %")
