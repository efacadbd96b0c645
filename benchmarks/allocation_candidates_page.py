"""Measure the candidates page for one case in a PDU of 100 practitioners, served for real.

    python benchmarks/allocation_candidates_page.py [--requests 200] [--weeks 8] [--seed 1]
                                                    [--workers 1] [--db URL]

Builds the PDU of benchmarks/allocation_plan.py (100 practitioners in 8 teams, the same seed
giving the same people) as case-level folders for --weeks weekly snapshots to 2026-11-20, each
holding cases that put the practitioners between about 60 % and 130 % (so weeks over the
overload threshold are read from a real history), with 50 cases waiting in the newest; imports
them into a SQLite file in a temporary folder (or the store at --db), adds a head of the PDU,
starts `wmt serve` on 127.0.0.1 and, signed in as them, asks --requests times, one at a
time after 20 warm-up requests, for the candidates of one waiting case (for the head of
the PDU, every practitioner of the PDU) and for those of a kind of case across the PDU (all
100). Prints p50, p95 and the slowest of each as a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.allocation_plan import ROSH, held_cases, staff
from benchmarks.web_load import free_port, start_server, wmt

AS_OF = date(2026, 11, 20)
TEAMS = 8
QUEUED = 50
WARM_UP = 20
TARGET_P95_MS = 150.0
PASSWORD = "candidates-benchmark-password"
HEAD = "bench-head-of-pdu"
PAGES = (
    ("candidates for one waiting case (the PDU's 100)", "/allocation/cases/Q0001"),
    (
        "candidates for a kind of case (the PDU's 100)",
        "/pdu/P1/allocation/candidates?tier=C1&case_type=community",
    ),
)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_HEADER = [
    "crn", "staff_code", "team_code", "case_type", "tier", "t2a", "flags", "allocated_date",
    "sentence_date", "previous_staff_code", "rosh", "initial_appointment_date",
]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as opened:
        writer = csv.DictWriter(opened, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_week(folder: Path, on: date, people: list[dict[str, Any]], seed: int) -> None:
    """One weekly snapshot of the PDU: the same people, their cases drawn again for the week,
    and in the newest week the cases waiting."""
    rng = random.Random(f"{seed}-{on}")
    folder.mkdir(parents=True)
    (folder / "snapshot.txt").write_text(f"{on}\n")
    units = [
        {"region_code": "R1", "region_name": "North", "pdu_code": "P1", "pdu_name": "Tyneside",
         "team_code": f"T{n}", "team_name": f"Tyneside Team {n}"}
        for n in range(TEAMS)
    ]  # fmt: skip
    _write(folder / "units.csv", list(units[0]), units)
    staff_rows = [
        {
            "staff_code": person["staff_code"],
            "team_code": person["team_code"],
            "grade": person["grade"],
            "forename": "Sam",
            "surname": f"Person {person['staff_code']}",
            "contracted_hours": (
                ""
                if person["contracted_hours_centi"] is None
                else f"{person['contracted_hours_centi'] / 100:.2f}"
            ),
            "start_date": "2015-04-01",
            "leave_date": "",
        }
        for person in people
    ]
    _write(folder / "staff.csv", list(staff_rows[0]), staff_rows)
    held = held_cases(rng, people, 0.6, 1.3)
    cases = [case | {"t2a": "false", "allocated_date": case["allocated_date"]} for case in held]
    if on == AS_OF:
        codes = [person["staff_code"] for person in people]
        cases += [
            {"crn": f"Q{n:04d}", "team_code": f"T{n % TEAMS}", "t2a": "false",
             "case_type": rng.choice(["community", "licence", "custody"]),
             "tier": rng.choice(["B2", "C1", "C3", "D1"]),
             "sentence_date": on - timedelta(days=rng.randint(0, 30)),
             "previous_staff_code": rng.choice([*codes[:10], "", ""]),
             "rosh": rng.choice(ROSH) or ""}
            for n in range(QUEUED)
        ]  # fmt: skip
    _write(folder / "cases.csv", CASE_HEADER, cases)
    (folder / "reports.csv").write_text("staff_code,team_code,report_type,completed_date,crn\n")
    (folder / "contacts.csv").write_text(
        "contact_id,crn,contact_date,contact_type_code,staff_code,team_code\n"
    )
    (folder / "reductions.csv").write_text(
        "staff_code,team_code,reason,hours,start_date,end_date,status,notes\n"
    )


def prepare(work: Path, url: str, weeks: int, seed: int) -> None:
    people = staff(random.Random(seed))
    for back in reversed(range(weeks)):
        on = AS_OF - timedelta(weeks=back)
        folder = work / f"week-{on}"
        write_week(folder, on, people, seed)
        wmt(["import", str(folder), "--db", url])
    from wmt.domain.access import Role
    from wmt.services.accounts import add_user
    from wmt.store.database import open_store

    store = open_store(url)
    add_user(store, HEAD, PASSWORD, Role.HEAD_OF_PDU, "P1")
    store.engine.dispose()


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = _TOKEN.search(client.get("/sign-in").text)
    if token is None:
        raise SystemExit("The sign-in page has no form token.")
    answer = client.post(
        "/sign-in",
        data={"username": HEAD, "password": PASSWORD, "csrf_token": token[1], "next": "/"},
    )
    if answer.status_code != 303 and not answer.is_success:
        raise SystemExit(f"Could not sign in ({answer.status_code}).")
    return client


def measure(client: httpx.Client, path: str, requests: int) -> list[float]:
    for _ in range(WARM_UP):
        client.get(path).raise_for_status()
    timings: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", default=None, help="an empty store to fill (default: SQLite)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = options.db or f"sqlite:///{work / 'wmt.db'}"
        started = time.perf_counter()
        prepare(work, url, options.weeks, options.seed)
        print(f"Prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        port = free_port()
        server = start_server(url, port, options.workers, work / "server.log")
        try:
            client = signed_in(f"http://127.0.0.1:{port}")
            timings = {name: measure(client, path, options.requests) for name, path in PAGES}
            client.close()
        finally:
            server.terminate()
            server.wait()
    print("| page | requests | p50 | p95 | slowest | target p95 |")
    print("|---|---|---|---|---|---|")
    for name, taken in timings.items():
        p95 = statistics.quantiles(taken, n=100, method="inclusive")[94]
        print(
            f"| {name} | {len(taken)} | {statistics.median(taken):.0f} ms | {p95:.0f} ms"
            f" | {max(taken):.0f} ms | ≤ {TARGET_P95_MS:.0f} ms |"
        )
    print(f"nproc {os.cpu_count()}, workers {options.workers}", file=sys.stderr)


if __name__ == "__main__":
    main()
