"""Measure how long a manager waits when saving a reduction on national-scale data.

    python benchmarks/edit.py [--runs 5] [--seed 1] [--database-url URL]

A save checks the entry, writes it and its audit event, lays the practitioner's managed inputs
over the newest snapshot and recalculates that snapshot (every owner and roll-up) in one
transaction. Prints a Markdown row of median / min / max for docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

AS_OF = date(2026, 11, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()

    from sqlalchemy import select

    from wmt.demo.generate import write_demo_snapshot
    from wmt.domain.access import Role, Viewer
    from wmt.services import inputs
    from wmt.services.importing import import_case_folder
    from wmt.store import schema
    from wmt.store.database import open_store

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "national"
        write_demo_snapshot(folder, scale="national", seed=options.seed, as_of=AS_OF)
        store = open_store(options.database_url or f"sqlite:///{Path(work) / 'edit.db'}")
        import_case_folder(store, folder)
        owners = schema.table_of(schema.OwnerWorkload)
        with store.reading() as connection:
            staff_code, team_code = connection.execute(
                select(owners.c.staff_code, owners.c.team_code).limit(1)
            ).one()
        entry = inputs.ReductionEntry("Court duty", Decimal("1.50"), AS_OF, None)
        seconds = []
        manager = Viewer("bench", Role.TEAM_MANAGER, team_code)
        added = inputs.add_reduction(store, manager, staff_code, team_code, entry).reduction
        assert added is not None and added.id is not None
        reduction = added.id
        for run in range(options.runs):
            changed = inputs.ReductionEntry("Court duty", Decimal(2 + run), AS_OF, None)
            start = time.perf_counter()
            inputs.change_reduction(store, manager, reduction, run + 1, changed)
            seconds.append(time.perf_counter() - start)
    kind = "PostgreSQL" if options.database_url else "SQLite"
    median, low, high = statistics.median(seconds), min(seconds), max(seconds)
    print("| Store | Save a reduction (median) | min | max |")
    print("|---|---|---|---|")
    print(f"| {kind} | {median:.2f} s | {low:.2f} s | {high:.2f} s |")


if __name__ == "__main__":
    main()
