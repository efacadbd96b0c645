"""axe-core finds nothing serious or critical on any kind of page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import ALLOCATING_MANAGER
from tests.browser.pages import Site, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

# Each kind of page: who looks at it (None: nobody signed in) and where it is.
PAGES: dict[str, tuple[str | None, Callable[[Site], str]]] = {
    "sign-in": (None, lambda site: "/sign-in"),
    "refused": ("team_manager", lambda site: site.other_team.path),
    "national": ("national", lambda site: site.national.path),
    "region": ("national", lambda site: site.region.path),
    "pdu": ("national", lambda site: site.pdu.path),
    "team": ("national", lambda site: site.team.path),
    "practitioner": ("national", lambda site: site.practitioner.path),
    "history": ("national", lambda site: site.team.view("history")),
    "caseload": ("national", lambda site: site.team.view("caseload")),
    "signals": ("national", lambda site: site.region.view("signals")),
    "quality": ("national", lambda site: site.region.view("quality")),
    "practitioner-history": ("national", lambda site: site.practitioner.view("history")),
    "practitioner-caseload": ("national", lambda site: site.practitioner.view("caseload")),
    "practitioner-as-manager": ("team_manager", lambda site: site.practitioner.path),
    "choose-a-reason": ("team_manager", lambda site: _new_reduction(site)),
    "reduction-form": ("team_manager", lambda site: _new_reduction(site, "Maternity+leave")),
    "contracted-hours": (
        "team_manager",
        lambda site: f"/practitioner/{site.practitioner.code}/hours?team={site.team.code}",
    ),
    "changes": ("team_manager", lambda site: site.team.view("audit")),
    "allocation-queue": (ALLOCATING_MANAGER, lambda site: site.allocating_team.view("allocation")),
    "allocation-counts": ("national", lambda site: site.region.view("allocation")),
    "allocation-candidates": (ALLOCATING_MANAGER, lambda site: site.waiting.candidates_path),
    "allocation-kind-candidates": (
        "national",
        lambda site: site.waiting.kind_candidates_path(site.allocating_team),
    ),
    "allocation-confirm": (ALLOCATING_MANAGER, lambda site: site.waiting.confirm_path),
    "allocation-decisions": (
        ALLOCATING_MANAGER,
        lambda site: site.allocating_team.view("allocation/decisions"),
    ),
    "allocation-plan": (
        ALLOCATING_MANAGER,
        lambda site: site.allocating_team.view("allocation/plan"),
    ),
    "allocation-rebalance": (
        ALLOCATING_MANAGER,
        lambda site: site.allocating_team.view("allocation/rebalance"),
    ),
    "practitioner-cases": (
        "team_manager",
        lambda site: f"/practitioner/{site.practitioner.code}/allocation?team={site.team.code}",
    ),
    "what-if-leave": (
        "team_manager",
        lambda site: (
            f"/practitioner/{site.practitioner.code}/allocation/what-if-leave"
            f"?team={site.team.code}&from={site.as_of}"
        ),
    ),
    "admin": ("admin", lambda site: "/admin"),
    "admin-points": ("admin", lambda site: "/admin/points"),
    "admin-points-version": ("admin", lambda site: "/admin/points/1"),
    "admin-points-compare": ("admin", lambda site: "/admin/points/compare?a=1&b=1"),
    "admin-points-new": ("admin", lambda site: "/admin/points/new"),
    "admin-reasons": ("admin", lambda site: "/admin/reasons"),
    "admin-reason": ("admin", lambda site: "/admin/reasons/1"),
    "admin-users": ("admin", lambda site: "/admin/users"),
    "admin-user-new": ("admin", lambda site: "/admin/users/new"),
    "admin-user": ("admin", lambda site: "/admin/users/1"),
    "admin-user-password": ("admin", lambda site: "/admin/users/1/password"),
    "admin-user-delete": ("admin", lambda site: "/admin/users/1/delete"),
    "admin-eligibility": ("admin", lambda site: "/admin/eligibility"),
    "admin-eligibility-version": ("admin", lambda site: "/admin/eligibility/1"),
    "admin-eligibility-new": ("admin", lambda site: "/admin/eligibility/new"),
    "own-password": ("national", lambda site: "/account/password"),
    "admin-changes": ("admin", lambda site: "/admin/audit"),
}


def _new_reduction(site: Site, reason: str | None = None) -> str:
    path = f"/practitioner/{site.practitioner.code}/reductions/new?team={site.team.code}"
    return path + (f"&reason={reason}" if reason else "")


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_accessibility_problems(
    site: Site, page: Page, signed_in: Callable[[str], Page], kind: str
) -> None:
    username, where = PAGES[kind]
    if username is not None:
        signed_in(username)
    page.goto(where(site))
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def test_no_serious_accessibility_problems_when_sign_in_is_refused(page: Page) -> None:
    sign_in(page, "national", "not the password at all")
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"
