"""Load the web pages with many signed-in people at once and measure how fast they come back.

    python benchmarks/web_load.py [--users 50] [--national 5] [--duration 90] [--db URL]
                                  [--workers N] [--import-during]

Makes national demo data (--weeks weekly snapshots, seed --seed), imports it into a SQLite
file in a temporary folder (or the store at --db), adds one account per simulated person
(team managers of different teams, spread across the country, and national users), starts
`wmt serve` on 127.0.0.1 and runs locust headless against it (benchmarks/web_load_users.py).
People start --spawn-rate a second; each signs in once through the sign-in form, then keeps
loading their pages with a pause of --think seconds between them. Pages loaded until --settle
seconds after the last sign-in are left out (signing in is deliberately slow: argon2); the
rest give p50 / p95 / p99 and requests per second for each kind of page, printed as a
Markdown table for docs/performance.md, with how busy the machine was meanwhile.

--import-during runs `wmt import` of a national snapshot for a new date (the week after the
last) while the people read, as the nightly import would, and reports the pages that started
while it ran on their own. --workers sets the server processes; by default `wmt serve`
chooses.

--work DIR keeps the demo data and the SQLite store there and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS_FILE = ROOT / "benchmarks" / "web_load_users.py"
AS_OF = "2026-11-20"
PASSWORD = "load-benchmark-password"
TARGETS = {"team overview": 150.0, "national overview": 200.0, "sign in": 1500.0}
IMPORT_TARGET_P99 = 1000.0  # ms, for every page that started while an import ran
PAGES = ("team overview", "practitioner overview", "national overview")


@dataclass(frozen=True)
class Busy:
    """CPU seconds: every core's busy time, and that of the server and locust processes."""

    machine: float
    server: float
    locust: float
    wall: float
    load_before: float
    load_after: float


def wmt(arguments: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "wmt", *arguments], check=True, stdout=subprocess.DEVNULL)


def machine_busy_seconds() -> float:
    """CPU seconds spent busy on all cores since boot (Linux), or 0 if unknown."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare_store(work: Path, url: str, weeks: int, seed: int, fresh_sqlite: bool) -> None:
    data = work / "data"
    if not data.is_dir():
        started = time.perf_counter()
        wmt(["demo-data", str(data), "--scale", "national", "--weeks", str(weeks),
             "--seed", str(seed), "--as-of", AS_OF])  # fmt: skip
        print(f"Demo data written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if fresh_sqlite:
        started = time.perf_counter()
        wmt(["import", str(data), "--db", url])
        print(f"Imported in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def add_accounts(url: str, team_managers: int, national: int) -> dict[str, object]:
    """Accounts for team managers of evenly spread teams, and national users."""
    from sqlalchemy import select

    from wmt.domain.access import Role
    from wmt.services.accounts import add_user
    from wmt.store import schema
    from wmt.store.database import open_store
    from wmt.store.snapshots import require_snapshot

    store = open_store(url)
    units = schema.table_of(schema.UnitWorkload)
    accounts = schema.table_of(schema.UserAccount)
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        teams = list(
            connection.execute(
                select(units.c.unit_code)
                .where(units.c.snapshot_id == record.id, units.c.level == "team")
                .order_by(units.c.unit_code)
            ).scalars()
        )
        existing = set(connection.execute(select(accounts.c.username)).scalars())
    if team_managers > len(teams):
        raise SystemExit(f"Only {len(teams)} teams for {team_managers} team managers.")
    step = len(teams) / max(team_managers, 1)
    chosen = [teams[int(index * step)] for index in range(team_managers)]
    managers = [(f"load-manager-{team.lower()}", team) for team in chosen]
    nationals = [f"load-national-{index + 1}" for index in range(national)]
    wanted = [(name, Role.TEAM_MANAGER, team) for name, team in managers]
    wanted += [(name, Role.NATIONAL, "national") for name in nationals]
    for username, role, scope in wanted:
        if username not in existing:
            add_user(store, username, PASSWORD, role, scope)
    store.engine.dispose()
    return {"password": PASSWORD, "team_managers": managers, "national": nationals}


def start_server(url: str, port: int, workers: int | None, log: Path) -> subprocess.Popen[bytes]:
    environment = os.environ | {"WMT_INSECURE_COOKIES": "1"}  # plain HTTP on 127.0.0.1
    command = [sys.executable, "-m", "wmt", "serve", "--db", url, "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # one JSON line per request: kept, not shown
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("wmt serve stopped before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("wmt serve did not answer within 90 s")


def cpu_seconds_of(process: subprocess.Popen[bytes]) -> float:
    """Wait for a child and return the CPU seconds it (and its reaped children) used."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def start_locust(
    port: int, accounts: Path, results: Path, options: argparse.Namespace
) -> subprocess.Popen[bytes]:
    environment = os.environ | {
        "WMT_LOAD_ACCOUNTS": str(accounts),
        "WMT_LOAD_RESULTS": str(results),
        "WMT_LOAD_THINK": options.think,
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(USERS_FILE), "--headless",
        "--users", str(options.users), "--spawn-rate", str(options.spawn_rate),
        "--run-time", f"{options.duration}s",
        "--host", f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING",
        "--stop-timeout", "10",
    ]  # fmt: skip
    return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)


@dataclass(frozen=True)
class ImportRun:
    """When the import during the run started and ended (epoch seconds), and its CPU."""

    started: float
    ended: float
    cpu: float


def import_during(work: Path, url: str, options: argparse.Namespace) -> ImportRun:
    """Wait until everyone has signed in and settled, then import a national snapshot for the
    week after the newest, as the nightly import would while people read their pages."""
    time.sleep(options.import_after)
    newest = sorted(folder for folder in (work / "data").iterdir() if folder.is_dir())[-1]
    on = date.fromisoformat(AS_OF) + timedelta(weeks=1)
    command = [sys.executable, "-m", "wmt", "import", str(newest), "--as-of", str(on)]
    started = time.time()
    child = subprocess.Popen([*command, "--db", url], stdout=subprocess.DEVNULL)
    cpu = cpu_seconds_of(child)
    ended = time.time()
    if child.returncode != 0:
        raise SystemExit("The import during the run failed.")
    print(f"Imported {on} during the run in {ended - started:.1f} s", file=sys.stderr)
    return ImportRun(started, ended, cpu)


def percentile(ordered: list[float], share: float) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


def _row(label: str, measured: list[tuple[float, bool]], rate: str, target: str) -> str:
    times = sorted(ms for ms, _ in measured)
    failures = sum(failed for _, failed in measured)
    return (
        f"| {label} | {len(times):,} | {rate} | {percentile(times, 0.5):.0f} ms | "
        f"{percentile(times, 0.95):.0f} ms | {percentile(times, 0.99):.0f} ms | "
        f"{failures} | {target} |"
    )


def report(
    results: Path, options: argparse.Namespace, busy: Busy, during: ImportRun | None
) -> None:
    requests: list[tuple[str, float, float, bool]] = [
        (name, started, ms, failed) for name, started, ms, failed in json.loads(results.read_text())
    ]
    sign_ins = [started + ms / 1000 for name, started, ms, _ in requests if name == "sign in"]
    if not sign_ins:
        raise SystemExit("Nobody signed in.")
    window_start = max(sign_ins) + options.settle
    window_end = max(started + ms / 1000 for _, started, ms, _ in requests)
    window = window_end - window_start
    if window <= 0:
        raise SystemExit("Nothing was measured: make --duration longer.")
    low, high = options.think.split(",")
    print(
        f"| page ({options.users} users, {window:.0f} s measured, pause {low}–{high} s) "
        "| requests | per second | p50 | p95 | p99 | failed | target |"
    )
    print("|---|---|---|---|---|---|---|---|")

    def importing(started: float) -> bool:
        return during is not None and during.started <= started <= during.ended

    for kind in (*PAGES, "sign in"):
        # Every sign-in counts; pages only once everyone has signed in and settled, and not
        # while the import runs (those are reported on their own below).
        measured = [
            (ms, failed)
            for name, started, ms, failed in requests
            if name == kind
            and (kind == "sign in" or (started >= window_start and not importing(started)))
        ]
        if not measured:
            continue
        rate = "—" if kind == "sign in" else f"{len(measured) / window:.1f}"
        target = f"p95 ≤ {TARGETS[kind]:,.0f} ms" if kind in TARGETS else "—"
        print(_row(kind, measured, rate, target))
    if during is not None:
        measured = [
            (ms, failed)
            for name, started, ms, failed in requests
            if name in PAGES and importing(started)
        ]
        seconds = during.ended - during.started
        label = f"every page while a national import ran ({seconds:.0f} s)"
        if measured:
            rate = f"{len(measured) / seconds:.1f}"
            print(_row(label, measured, rate, f"p99 ≤ {IMPORT_TARGET_P99:,.0f} ms, 0 failed"))
    cores = os.cpu_count() or 1
    importer = during.cpu if during is not None else 0.0
    others = max(busy.machine - busy.server - busy.locust - importer, 0.0)
    print(
        f"\nCPU over the {busy.wall:.0f} s run on {cores} cores ({busy.wall * cores:.0f} "
        f"CPU-seconds): wmt serve {busy.server:.0f} s, locust {busy.locust:.0f} s, "
        + (f"wmt import {importer:.0f} s, " if during is not None else "")
        + f"other processes {others:.0f} s; load average {busy.load_before:.1f} before, "
        f"{busy.load_after:.1f} at the end."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="people signed in at once")
    parser.add_argument("--national", type=int, default=5, help="of whom national users")
    parser.add_argument("--spawn-rate", type=float, default=5, help="people started a second")
    parser.add_argument("--duration", type=int, default=90, help="seconds locust runs")
    parser.add_argument("--settle", type=float, default=5, help="seconds left out after sign-in")
    parser.add_argument("--think", default="1,3", help="pause between pages: LOW,HIGH seconds")
    parser.add_argument("--weeks", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite file)")
    parser.add_argument("--work", type=Path, default=None, help="keep and reuse files here")
    parser.add_argument(
        "--workers", type=int, default=None, help="server processes (default: wmt serve's)"
    )
    parser.add_argument(
        "--import-during", action="store_true", help="import a national snapshot meanwhile"
    )
    parser.add_argument(
        "--import-after", type=float, default=35, help="seconds into the run to start it"
    )
    options = parser.parse_args()
    if not 0 <= options.national <= options.users:
        raise SystemExit("--national must be between 0 and --users")

    with ExitStack() as stack:
        if options.work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wmt-load-")))
        else:
            work = options.work.resolve()
            work.mkdir(parents=True, exist_ok=True)
        sqlite_file = work / "wmt.db"
        url = options.db or f"sqlite:///{sqlite_file}"
        fresh = options.db is not None or not sqlite_file.exists()
        prepare_store(work, url, options.weeks, options.seed, fresh)
        accounts = work / "accounts.json"
        accounts.write_text(
            json.dumps(add_accounts(url, options.users - options.national, options.national))
        )
        results = work / "requests.json"
        port = free_port()
        server = start_server(url, port, options.workers, work / "server.log")
        try:
            load_before = os.getloadavg()[0]
            busy_before, started = machine_busy_seconds(), time.perf_counter()
            locust = start_locust(port, accounts, results, options)
            during = import_during(work, url, options) if options.import_during else None
            locust_cpu = cpu_seconds_of(locust)
            wall = time.perf_counter() - started
            machine = machine_busy_seconds() - busy_before
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
        server_cpu = cpu_seconds_of(server)
        busy = Busy(machine, server_cpu, locust_cpu, wall, load_before, load_after)
        report(results, options, busy, during)


if __name__ == "__main__":
    main()
