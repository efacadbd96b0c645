"""A region of the national demo data: big enough that an import takes a measurable time
(about 800 workload owners and 17,000 cases), small enough for the test suite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from wmt.demo.generate import write_demo_snapshot

AS_OF = date(2026, 11, 20)


def write_region(folder: Path, *, seed: int = 1, as_of: date = AS_OF, keep_cases: int = 1) -> Path:
    """The first region of the national demo snapshot, as a case-level folder.

    keep_cases=2 keeps every second case (and the contacts on them), for a second version of
    the same date whose figures differ from the first.
    """
    # The national snapshot is the slow part: made once for regions written side by side.
    national = folder.parent / f"national-{seed}-{as_of}"
    if not national.exists():
        partial = national.with_name(f"{national.name}-partial")
        write_demo_snapshot(partial, scale="national", seed=seed, as_of=as_of)
        partial.rename(national)
    folder.mkdir(parents=True)
    units = pl.read_csv(national / "units.csv", infer_schema=False)
    units = units.filter(pl.col("region_code") == units["region_code"].min())
    units.write_csv(folder / "units.csv")
    teams = units["team_code"].implode()
    cases = pl.read_csv(national / "cases.csv", infer_schema=False).filter(
        pl.col("team_code").is_in(teams)
    )
    cases = cases.gather_every(keep_cases)
    cases.write_csv(folder / "cases.csv")
    for name in ("staff", "reports", "reductions"):
        table = pl.read_csv(national / f"{name}.csv", infer_schema=False)
        table.filter(pl.col("team_code").is_in(teams)).write_csv(folder / f"{name}.csv")
    contacts = pl.read_csv(national / "contacts.csv", infer_schema=False)
    contacts.filter(
        pl.col("team_code").is_in(teams) & pl.col("crn").is_in(cases["crn"].implode())
    ).write_csv(folder / "contacts.csv")
    (folder / "snapshot.txt").write_text(f"{as_of}\n")
    return folder
