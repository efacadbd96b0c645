"""Measure the peak memory and time of reading input files that are large, or refused.

    python benchmarks/ingest_memory.py [--runs 3] [--seed 1] [--contacts 2000000]

Writes, from national demo data made with the seed (not timed):

- a case-level folder refused for one bad value near the end of cases.csv;
- a valid case-level folder whose contacts.csv has 2,000,000 rows;
- the national nDelius workbook, and a copy with one stray value at XFD1048576 on WMT_Extract.

Then reads each with the reader alone (no store) in a child process per run (the files are
made in another child, so that this process, whose peak a child's starts from, stays small),
and prints a
Markdown table of peak resident memory (the child's ru_maxrss) and wall time, for
docs/performance.md. `--work DIR` keeps the files to reuse on the next run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AS_OF = date(2026, 11, 20)
TARGET = "≤ 1 GiB"
STRAY_ROW = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>stray</t></is></c></row>'


def _refused_folder(national: Path, target: Path) -> None:
    """The national folder with one case's tier made unknown, near the end of cases.csv."""
    import polars as pl

    target.mkdir(parents=True, exist_ok=True)
    for source in national.iterdir():
        (target / source.name).write_bytes(source.read_bytes())
    cases = pl.read_csv(national / "cases.csv", infer_schema=False)
    near_the_end = pl.int_range(pl.len()) == pl.len() - 2
    cases.with_columns(
        pl.when(near_the_end).then(pl.lit("Z9")).otherwise(pl.col("tier")).alias("tier")
    ).write_csv(target / "cases.csv")


def _many_contacts(national: Path, target: Path, count: int, seed: int) -> None:
    """The national folder with `count` contacts, drawn (with the seed) from its own."""
    import polars as pl

    target.mkdir(parents=True, exist_ok=True)
    for source in national.iterdir():
        (target / source.name).write_bytes(source.read_bytes())
    contacts = pl.read_csv(national / "contacts.csv", infer_schema=False)
    drawn = contacts.sample(count, with_replacement=True, seed=seed)
    first_day = AS_OF - timedelta(days=6)
    drawn.with_columns(
        pl.int_range(1, count + 1).cast(pl.String).alias("contact_id"),
        (pl.lit(first_day) + pl.duration(days=pl.int_range(count) % 7))
        .dt.strftime("%Y-%m-%d")
        .alias("contact_date"),
    ).write_csv(target / "contacts.csv")


def _stray_copy(workbook: Path, target: Path) -> None:
    """The workbook with one value in the last cell a sheet can have, on WMT_Extract."""
    from wmt.ingest.sheet_extent import sheet_parts

    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(target, "w") as copy:
        part = sheet_parts(source)["WMT_Extract"]
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = content.replace(b"</sheetData>", STRAY_ROW.encode() + b"</sheetData>")
            copy.writestr(item, content, zipfile.ZIP_DEFLATED)


def inputs(work: Path, contacts: int) -> dict[str, Path]:
    return {
        "case-level folder, one bad value near the end (refused)": work / "refused",
        f"case-level folder, {contacts:,}-row contacts.csv (valid)": work / "contacts",
        "nDelius workbook, national (valid)": work / "WMT_PS.xlsx",
        "nDelius workbook, a value at XFD1048576 (refused)": work / "WMT_PS_STRAY.xlsx",
    }


def prepare(work: Path, seed: int, contacts: int) -> None:
    from wmt.demo.generate import write_demo_snapshot
    from wmt.demo.ndelius_workbook import write_ndelius_workbook

    if all(path.exists() for path in inputs(work, contacts).values()):
        return
    national = work / "national"
    write_demo_snapshot(national, scale="national", seed=seed, as_of=AS_OF)
    _refused_folder(national, work / "refused")
    _many_contacts(national, work / "contacts", contacts, seed)
    write_ndelius_workbook(national, work / "WMT_PS.xlsx")
    _stray_copy(work / "WMT_PS.xlsx", work / "WMT_PS_STRAY.xlsx")


def read(path: Path) -> str:
    """Read one input as `wmt import` would, without a store; say how it ended."""
    from wmt.errors import InputRejected
    from wmt.ingest.case_folder import read_case_folder
    from wmt.ingest.ndelius import read_ndelius_workbook

    try:
        if path.suffix == ".xlsx":
            tables, _, _ = read_ndelius_workbook(path)
        else:
            tables, _ = read_case_folder(path)
    except InputRejected as refused:
        return f"refused: {refused.problems[0]}"
    return f"read: {tables.staff.height:,} owners, {tables.contacts.height:,} contacts"


def measure(path: Path) -> tuple[float, int, str]:
    """Wall seconds, peak resident bytes and outcome of reading the input in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--read", str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    outcome = child.stdout.read().strip()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"reading {path} failed")
    return time.perf_counter() - start, usage.ru_maxrss * 1024, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.read is not None:
        print(read(options.read))
        return
    if options.prepare is not None:
        prepare(options.prepare, options.seed, options.contacts)
        return
    with tempfile.TemporaryDirectory(prefix="wmt-ingest-") as temporary:
        work = options.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        # Made in a child process: a child's peak memory on Linux starts from its parent's, so
        # this process stays small, importing no data library.
        making = ["--prepare", str(work), "--seed", str(options.seed)]
        subprocess.run(
            [sys.executable, __file__, *making, "--contacts", str(options.contacts)], check=True
        )
        results = {
            name: [measure(path) for _ in range(options.runs)]
            for name, path in inputs(work, options.contacts).items()
        }
    print(
        f"| reading ({os.cpu_count()} cores, {options.runs} runs, seed {options.seed}) "
        "| peak memory, median (min–max) | time, median (min–max) | target |"
    )
    print("|---|---|---|---|")
    for name, runs in results.items():
        seconds = [elapsed for elapsed, _, _ in runs]
        peaks = [peak / 2**20 for _, peak, _ in runs]
        print(
            f"| {name} | {statistics.median(peaks):,.0f} MiB ({min(peaks):,.0f}–"
            f"{max(peaks):,.0f}) | {statistics.median(seconds):.1f} s ({min(seconds):.1f}–"
            f"{max(seconds):.1f}) | {TARGET} |"
        )
    for name, runs in results.items():
        print(f"{name}: {runs[0][2]}", file=sys.stderr)


if __name__ == "__main__":
    main()
