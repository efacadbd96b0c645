"""A real server and a real browser: `wmt serve` over small demo data, driven by Chromium.

The demo database is made once per test run. Each pytest process (each xdist worker) copies
it, starts its own server on a free loopback port and its own Chromium, so workers share
nothing else but the screenshot folder, where each file has one writer.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Response, ViewportSize, expect, sync_playwright

from tests.browser.pages import AXE, Site, Unit, WaitingCase, prepare, sign_in, watch_policy
from tests.ports import free_port
from tests.web.sessions import PASSWORD
from wmt.demo.series import drifting_owners, write_demo_series
from wmt.domain.access import Role
from wmt.domain.hierarchy import Level
from wmt.services.accounts import add_user
from wmt.services.allocation_candidates import candidates_for_case
from wmt.services.allocation_queue import queue
from wmt.services.importing import import_path
from wmt.services.overview import practitioner_overview, unit_overview
from wmt.services.places import place_of
from wmt.services.scope import OPERATOR
from wmt.store.database import open_store
from wmt.store.transactions import Store
from wmt.web import assets

CHROMIUM = Path(os.environ.get("WMT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF = "2026-11-20"
DATABASE = "wmt.db"
VIEWPORT: ViewportSize = {"width": 1100, "height": 800}
SESSION_COOKIE = "wmt_session"
# The manager of the team with the most cases waiting for allocation in the site's PDU.
ALLOCATING_MANAGER = "allocating_manager"
# Generous waits: the machine running the tests may be busy with other work.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


def _unit(store: Store, level: str, code: str) -> Unit:
    summary = unit_overview(store, OPERATOR, level, code).summary
    return Unit(level, code, summary.unit_name, str(summary.capacity_percent))


def _children(store: Store, parent: Unit) -> list[Unit]:
    """The units directly inside a unit, by code."""
    found = unit_overview(store, OPERATOR, parent.level, parent.code)
    codes = sorted(row.unit_code for row in found.units)
    return [_unit(store, found.child_level, code) for code in codes]


def _drifting_practitioner(store: Store, series: Path) -> tuple[Unit, str]:
    """A practitioner the demo series drifts towards overload, whose whole workload is in one
    team (so one figure explains them and their team's history moves), and that team's code."""
    for staff_code, team_code in sorted(drifting_owners(series)):
        found = practitioner_overview(store, OPERATOR, staff_code)
        if len(found.workloads) == 1:
            row = found.workloads[0]
            name = f"{row.forename or ''} {row.surname or staff_code}".strip()
            unit = Unit("practitioner", staff_code, name, str(row.capacity_percent))
            return unit, team_code
    raise AssertionError("The demo series drifts nobody who works in one team only.")


def _team_with_most_waiting(store: Store, pdu: Unit) -> Unit:
    """The team of the PDU with the most cases waiting for allocation (the first by code of
    those with as many)."""
    waiting = Counter(case.team_code for case in queue(store, OPERATOR, Level.PDU, pdu.code).cases)
    if not waiting:
        raise AssertionError(f"The demo data has no case waiting for allocation in {pdu.code}.")
    return _unit(store, "team", min(waiting, key=lambda code: (-waiting[code], code)))


def _longest_waiting(store: Store, team: Unit) -> WaitingCase:
    """The team's longest-waiting case (the first by CRN of those waiting as long) and the
    first practitioner its candidates page offers, with their capacity before and after."""
    cases = queue(store, OPERATOR, Level.TEAM, team.code).cases
    case = min(cases, key=lambda case: (-case.waiting_days, case.crn))
    offered = candidates_for_case(store, OPERATOR, case.crn)
    first = next(candidate for candidate in offered.candidates if candidate.eligible)
    return WaitingCase(
        crn=case.crn,
        case_type=case.case_type,
        tier=case.tier,
        staff_code=first.staff_code,
        team_code=first.team_code,
        name=f"{first.forename or ''} {first.surname or first.staff_code}".strip(),
        capacity_before=str(first.capacity_before),
        capacity_after=str(first.capacity_after),
    )


def _make_data(folder: Path) -> None:
    """Small demo data, three weekly snapshots, as `wmt demo-data --scale small --seed 1
    --as-of 2026-11-20 --weeks 3` and `wmt import` make them, in folder/wmt.db; an account per
    role, with scopes found in what was imported, and a manager of the PDU's team with the most
    cases waiting for allocation; folder/site.json says what the site holds."""
    series = folder / "series"
    write_demo_series(series, scale="small", seed=1, last_as_of=date.fromisoformat(AS_OF), weeks=3)
    store = open_store(f"sqlite:///{folder / DATABASE}")
    try:
        import_path(store, series)
        national = _unit(store, "national", "national")
        practitioner, team_code = _drifting_practitioner(store, series)
        place = place_of(store, "team", team_code)
        assert place.region is not None and place.pdu is not None
        region = _unit(store, "region", place.region)
        pdu = _unit(store, "pdu", place.pdu)
        team = _unit(store, "team", team_code)
        other_region = next(r for r in _children(store, national) if r.code != region.code)
        other_team = _children(store, _children(store, other_region)[0])[0]
        allocating_team = _team_with_most_waiting(store, pdu)
        waiting = _longest_waiting(store, allocating_team)
        accounts = {
            role.value: (role, scope)
            for role, scope in (
                (Role.PRACTITIONER, practitioner.code),
                (Role.TEAM_MANAGER, team.code),
                (Role.HEAD_OF_PDU, pdu.code),
                (Role.REGIONAL_LEAD, region.code),
                (Role.NATIONAL, "national"),
                (Role.ADMIN, "national"),
            )
        }
        accounts[ALLOCATING_MANAGER] = (Role.TEAM_MANAGER, allocating_team.code)
        for username, (role, scope) in accounts.items():
            add_user(store, username, PASSWORD, role, scope)
    finally:
        store.engine.dispose()
    units = {
        "national": national,
        "region": region,
        "pdu": pdu,
        "team": team,
        "practitioner": practitioner,
        "other_team": other_team,
        "allocating_team": allocating_team,
    }
    description = {
        "units": {key: dataclasses.asdict(unit) for key, unit in units.items()},
        "waiting": dataclasses.asdict(waiting),
        "users": {username: [role.value, scope] for username, (role, scope) in accounts.items()},
    }
    (folder / "site.json").write_text(json.dumps(description))


@pytest.fixture(scope="session")
def _site_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the demo database and site.json: made once per test run, by
    whichever xdist worker comes first, and read by the others."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker's own temporary folder is in
    folder = shared / "browser-site"
    with (shared / "browser-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "site.json").exists():
                folder.mkdir(exist_ok=True)
                _make_data(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _serve(database: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `wmt serve` on a free port and wait until it answers; retry if the port was taken."""
    environment = {**os.environ}
    for name in ("WMT_DATABASE_URL", "WMT_INSECURE_COOKIES"):
        environment.pop(name, None)  # the real defaults: a Secure cookie, a key per start
    for _ in range(3):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "wmt", "serve", "--db", str(database), "--port", str(port)]
        with log.open("ab") as output:
            server = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=environment
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            if _answers(base_url + "/sign-in"):
                return server, base_url
            time.sleep(0.1)
        _stop(server)
    raise AssertionError(f"wmt serve did not start:\n{log.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, _site_data: Path) -> Iterator[Site]:
    """`wmt serve` over small demo data, with one account per role, on a copy of the database
    of its own (signing in writes to it)."""
    for needed, why in (
        (assets.govuk_dist(), "GOV.UK Frontend"),
        (AXE, "axe-core"),
    ):
        if not needed.exists():
            pytest.fail(
                f"{why} is not installed ({needed}); run scripts/test.sh, which runs npm ci."
            )
    folder = tmp_path_factory.mktemp("site")
    database = folder / DATABASE
    shutil.copyfile(_site_data / DATABASE, database)
    description = json.loads((_site_data / "site.json").read_text())
    units = {key: Unit(**fields) for key, fields in description["units"].items()}
    users = {name: (Role(role), scope) for name, (role, scope) in description["users"].items()}
    waiting = WaitingCase(**description["waiting"])
    server, base_url = _serve(database, folder / "serve.log")
    try:
        yield Site(
            base_url=base_url,
            database=database,
            as_of=AS_OF,
            users=users,
            waiting=waiting,
            **units,
        )
    finally:
        _stop(server)


@contextmanager
def serving_a_copy(
    site: Site, folder: Path, change: Callable[[Store], None] | None = None
) -> Iterator[Site]:
    """The site on a copy of its database in folder, changed first by `change`, served on a
    port of its own: for a test that changes what the site holds."""
    database = folder / DATABASE
    shutil.copyfile(site.database, database)
    if change is not None:
        store = open_store(f"sqlite:///{database}")
        try:
            change(store)
        finally:
            store.engine.dispose()
    server, base_url = _serve(database, folder / "serve.log")
    try:
        yield dataclasses.replace(site, base_url=base_url, database=database)
    finally:
        _stop(server)


def signed_in_page(browser: Browser, site: Site, username: str) -> Page:
    """A page in a browser context of its own, signed in through the form (for a site served
    by `serving_a_copy`, whose sessions are its own); close its context when done."""
    context = browser.new_context(base_url=site.base_url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    prepare(context)
    page = context.new_page()
    sign_in(page, username)
    return page


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; run scripts/test.sh, which installs it."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A fresh page in a context of its own (no cookies), with paths relative to the site.

    Fails the test if a stylesheet, script or image of the site could not be loaded, or if
    the site's Content-Security-Policy blocked anything on a page.
    """
    context = browser.new_context(base_url=site.base_url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    prepare(context)
    missing: list[str] = []
    blocked: list[str] = []

    def check(response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            missing.append(f"{response.status} {response.url}")

    page = context.new_page()
    page.on("response", check)
    watch_policy(page, blocked)
    try:
        yield page
    finally:
        context.close()
    assert not missing, f"The site failed to load: {missing}"
    assert not blocked, f"The Content-Security-Policy blocked: {blocked}"


@pytest.fixture(scope="session")
def _sessions() -> dict[str, str]:
    """Each person's session cookie (its value), from signing in once through the form."""
    return {}


@pytest.fixture
def signed_in(
    page: Page, browser: Browser, site: Site, _sessions: dict[str, str]
) -> Callable[[str], Page]:
    """`signed_in("team_manager")`: the page, signed in as that person.

    The first time in a test run each person signs in through the form; after that their
    session cookie is reused, which saves a password check per test. Tests about signing in
    itself use `sign_in(page, username)` instead.
    """

    def as_user(username: str) -> Page:
        if username not in _sessions:
            context = browser.new_context(base_url=site.base_url)
            try:
                sign_in(context.new_page(), username)
                cookies = context.cookies()
            finally:
                context.close()
            (value,) = [c["value"] for c in cookies if c["name"] == SESSION_COOKIE]
            _sessions[username] = value
        page.context.add_cookies(
            [
                {
                    "name": SESSION_COOKIE,
                    "value": _sessions[username],
                    "domain": "127.0.0.1",
                    "path": "/",
                    "secure": True,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        return page

    return as_user
