"""What browser tests share: the running site, its people, and what to do on a page.

Fixtures (conftest.py): `site`, a real `wmt serve` over small demo data with one account per
role, each named after its role ("practitioner", "team_manager", "head_of_pdu",
"regional_lead", "national", "admin") and scoped to `site`'s line of units, and
"allocating_manager", the manager of `site.allocating_team`; `page`, a fresh
page in its own browser context whose paths are relative to the site; `signed_in(username)`,
the page with that person's session (signing in through the form once per test run). A test
that changes what the site holds serves a copy of it with `serving_a_copy(site, folder)` and
opens pages with `signed_in_page(browser, copy, username)`.

Helpers here: `sign_in(page, username)` fills in the sign-in form as a person would;
`axe_violations(page)` runs axe-core on the page as it stands and `describe(violations)` says
what to fix; `save_screenshot(page, name)` writes a full-page PNG to WMT_SCREENSHOTS.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page

from tests.web.sessions import PASSWORD
from wmt.domain.access import Role

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@dataclass(frozen=True)
class Unit:
    """A unit or practitioner as its page shows it."""

    level: str
    code: str
    name: str  # the page's main heading, and the text of links to it
    capacity: str  # as printed, without the % sign: "74.8"

    @property
    def path(self) -> str:
        return f"/{self.level}/{self.code}/overview"

    def view(self, name: str) -> str:
        return f"/{self.level}/{self.code}/{name}"


@dataclass(frozen=True)
class WaitingCase:
    """A case waiting for allocation, and the practitioner its candidates page offers first."""

    crn: str
    case_type: str
    tier: str
    staff_code: str
    team_code: str
    name: str  # the practitioner's, as the pages print it
    capacity_before: str  # as printed, without the % sign
    capacity_after: str  # once they are given the case

    @property
    def candidates_path(self) -> str:
        return f"/allocation/cases/{self.crn}"

    def kind_candidates_path(self, team: Unit) -> str:
        """Who in the team could take a case of this one's tier and type."""
        return team.view("allocation/candidates") + f"?tier={self.tier}&case_type={self.case_type}"

    @property
    def confirm_path(self) -> str:
        chosen = f"staff_code={self.staff_code}&team_code={self.team_code}"
        return f"{self.candidates_path}/allocate?{chosen}"


@dataclass(frozen=True)
class Site:
    """The running server and what it holds."""

    base_url: str
    database: Path
    as_of: str  # the latest snapshot, YYYY-MM-DD
    # One line of descent, national → region → PDU → team → a practitioner in that team.
    national: Unit
    region: Unit
    pdu: Unit
    team: Unit
    practitioner: Unit
    other_team: Unit  # a team in another region
    allocating_team: Unit  # the PDU's team with the most cases waiting for allocation
    waiting: WaitingCase  # that team's longest-waiting case
    users: dict[str, tuple[Role, str]]  # username → role and scope

    @property
    def descent(self) -> tuple[Unit, ...]:
        return (self.national, self.region, self.pdu, self.team, self.practitioner)

    def url(self, path: str) -> str:
        return self.base_url + path


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, from wherever the page is, and wait for the next page."""
    if "/sign-in" not in page.url:
        page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def main_heading(page: Page) -> Locator:
    return page.locator("main h1")


def capacity_figure(page: Page) -> Locator:
    """The capacity in a unit page's summary, printed as "74.8 %"."""
    row = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Capacity"))
    return row.locator(".wmt-band")


def capacity_in_table(page: Page, name: str) -> Locator:
    """The capacity in the table row whose link is `name`, printed as "74.8 %"."""
    row = page.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))
    return row.locator(".wmt-band").first


def prepare(context: BrowserContext) -> None:
    """Give every page of the context axe-core, loaded the way the browser's own tools load a
    script (the site's Content-Security-Policy allows no script it did not serve itself)."""
    context.add_init_script(path=str(AXE))


def watch_policy(page: Page, blocked: list[str]) -> None:
    """Note every resource or inline code the Content-Security-Policy blocks on the page."""

    def check(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            blocked.append(f"{page.url}: {message.text}")

    page.on("console", check)


def axe_violations(page: Page, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """What axe-core finds wrong with the page as it stands, at the given impacts."""
    assert page.evaluate("() => typeof window.axe === 'object'"), "axe-core was not loaded"
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as a person fixing them wants to read them: rule, help, where."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['impact']}: {violation['id']} — {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"        {line}" for line in summary.splitlines())
    return "\n".join(lines)


def screenshot_folder() -> Path:
    """WMT_SCREENSHOTS, else build/screenshots at the repository root."""
    configured = os.environ.get("WMT_SCREENSHOTS")
    folder = Path(configured) if configured else ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page PNG of the page as it stands, named `name`.png."""
    path = screenshot_folder() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
