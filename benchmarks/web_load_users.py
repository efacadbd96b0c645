"""The people benchmarks/web_load.py sets loose on `wmt serve`, as a locust file.

Each simulated person takes an account of their own, signs in once through the sign-in form
(with its CSRF token), then keeps reading their pages with a pause between them: a team
manager their team's overview and now and then one of their practitioners' pages, a national
user the national overview. Every request is also written, with when it started and how long
it took, to the JSON file named by WMT_LOAD_RESULTS, so the benchmark can leave out the
warm-up and work out exact percentiles.

Set by benchmarks/web_load.py:

- WMT_LOAD_ACCOUNTS: a JSON file {"password": …, "team_managers": [[username, team], …],
  "national": [username, …]}; as many people of each kind run as there are accounts.
- WMT_LOAD_RESULTS: where to write the requests.
- WMT_LOAD_THINK: the pause between pages, in seconds, as "LOW,HIGH".
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

ACCOUNTS: dict[str, Any] = json.loads(Path(os.environ["WMT_LOAD_ACCOUNTS"]).read_text())
PASSWORD: str = ACCOUNTS["password"]
TEAM_MANAGERS: list[tuple[str, str]] = [(name, team) for name, team in ACCOUNTS["team_managers"]]
NATIONAL: list[str] = list(ACCOUNTS["national"])
LOW, HIGH = (float(part) for part in os.environ.get("WMT_LOAD_THINK", "1,3").split(","))

TEAM_OVERVIEW = "team overview"
NATIONAL_OVERVIEW = "national overview"
PRACTITIONER_OVERVIEW = "practitioner overview"
SIGN_IN_FORM = "sign-in form"
SIGN_IN = "sign in"

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_PRACTITIONER = re.compile(r'href="/practitioner/([^/"]+)/overview"')
_requests: list[tuple[str, float, float, bool]] = []  # name, started (epoch s), ms, failed


def _record(
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    _requests.append((name, start_time or 0.0, response_time, exception is not None))


def _write(**_: Any) -> None:
    Path(os.environ["WMT_LOAD_RESULTS"]).write_text(json.dumps(_requests))


events.request.add_listener(_record)  # type: ignore[no-untyped-call]
events.test_stop.add_listener(_write)  # type: ignore[no-untyped-call]


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(LOW, HIGH)
    username = ""

    def sign_in(self) -> None:
        form = self.client.get("/sign-in", name=SIGN_IN_FORM)
        found = _TOKEN.search(form.text or "")
        if found is None:
            raise RuntimeError("The sign-in page has no CSRF token.")
        body = urlencode(
            {"username": self.username, "password": PASSWORD, "csrf_token": found[1], "next": "/"}
        )
        with self.client.post(
            "/sign-in",
            name=SIGN_IN,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303 or "sign-in" in response.headers.get("location", ""):
                response.failure(f"{self.username} was not signed in ({response.status_code})")
                raise RuntimeError(f"{self.username} could not sign in.")

    def page(self, path: str, name: str) -> str:
        """Load a page; a redirect (to sign in again) or an error counts as a failure."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {response.status_code}")
            return response.text or ""


class TeamManager(SignedIn):
    fixed_count = len(TEAM_MANAGERS)

    def on_start(self) -> None:
        self.username, self.team = TEAM_MANAGERS.pop()
        self.staff: list[str] = []
        self.sign_in()

    @task(3)
    def team_overview(self) -> None:
        text = self.page(f"/team/{self.team}/overview", TEAM_OVERVIEW)
        self.staff = self.staff or _PRACTITIONER.findall(text)

    @task(1)
    def practitioner_overview(self) -> None:
        if not self.staff:
            self.team_overview()
            return
        staff_code = random.choice(self.staff)
        self.page(f"/practitioner/{staff_code}/overview", PRACTITIONER_OVERVIEW)


class NationalUser(SignedIn):
    fixed_count = len(NATIONAL)

    def on_start(self) -> None:
        self.username = NATIONAL.pop()
        self.sign_in()

    @task
    def national_overview(self) -> None:
        self.page("/national/national/overview", NATIONAL_OVERVIEW)
