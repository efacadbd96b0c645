"""Measure wmt on national-scale demo data: the engine, a whole import, and a capacity query.

    python benchmarks/national.py [--runs 5] [--seed 1] [--database-url URL]

Prints a Markdown table of median / min / max over the runs, for docs/performance.md.
Without --database-url the store is a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 20)
TARGETS = {
    "engine: calculate": "—",
    "engine: calculate and store results": "≤ 1 s",
    "wmt import (national folder)": "≤ 20 s",
    "wmt import peak memory": "≤ 1.5 GiB",
    "wmt capacity --level region": "≤ 2 s",
}


def timed(action: Callable[[], object], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return seconds


def run_command(arguments: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of a child process."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "wmt", *arguments], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"wmt {' '.join(arguments)} failed")
    return elapsed, usage.ru_maxrss * 1024


def fresh_database(folder: Path, run: int, url: str | None) -> str:
    if url is None:
        return f"sqlite:///{folder / f'bench-{run}.db'}"
    return url


def row(name: str, values: list[float], unit: str = "s") -> str:
    def shown(value: float) -> str:
        return f"{value / 2**20:,.0f} MiB" if unit == "MiB" else f"{value:.2f} s"

    median, low, high = statistics.median(values), min(values), max(values)
    return f"| {name} | {shown(median)} | {shown(low)} | {shown(high)} | {TARGETS[name]} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()

    from wmt.demo.generate import write_demo_snapshot
    from wmt.domain.points import default_points_configuration
    from wmt.engine import calculate
    from wmt.ingest.case_folder import read_case_folder
    from wmt.services.importing import store_snapshot
    from wmt.store import snapshots
    from wmt.store.database import open_store

    with tempfile.TemporaryDirectory(prefix="wmt-bench-") as work:
        folder = Path(work)
        data = folder / "national"
        summary = write_demo_snapshot(data, scale="national", seed=options.seed, as_of=AS_OF)
        print(f"National demo data: {summary}", file=sys.stderr)

        tables, on = read_case_folder(data)
        config = default_points_configuration()
        calculate_seconds = timed(lambda: calculate(tables, config, on), options.runs)

        store = open_store(fresh_database(folder, 0, options.database_url))
        stored = store_snapshot(store, tables, on, source="benchmark", source_format="bench")

        def calculate_and_store() -> None:
            with store.changing_snapshots() as connection:
                snapshots.write_results(
                    connection, stored.snapshot_id, calculate(tables, config, on)
                )

        store_seconds = timed(calculate_and_store, options.runs)
        store.engine.dispose()

        import_runs = [
            run_command(
                ["import", str(data), "--db", fresh_database(folder, run + 1, options.database_url)]
            )
            for run in range(options.runs)
        ]
        query_db = fresh_database(folder, 1, options.database_url)
        capacity_runs = [
            run_command(["capacity", "--level", "region", "--db", query_db])[0]
            for _ in range(options.runs * 2)
        ]

    print(
        f"| measure ({os.cpu_count()} cores, {options.runs} runs) | median | min | max | target |"
    )
    print("|---|---|---|---|---|")
    print(row("engine: calculate", calculate_seconds))
    print(row("engine: calculate and store results", store_seconds))
    print(row("wmt import (national folder)", [seconds for seconds, _ in import_runs]))
    print(row("wmt import peak memory", [float(peak) for _, peak in import_runs], "MiB"))
    print(row("wmt capacity --level region", capacity_runs))


if __name__ == "__main__":
    main()
