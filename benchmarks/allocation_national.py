"""Measure suggesting a plan for every PDU of the national demo data.

    python benchmarks/allocation_national.py [--seed 1] [--time-limit 10] [--workers 1]

Builds the national demo snapshot (`wmt demo-data --scale national`), calculates it, and
suggests a plan for each PDU's queue: the demo's unallocated cases, which wait in the PDU's
offender-management teams, among the PDU's practitioners. Prints a Markdown table: the
seconds for all PDUs together, the slowest PDU, how many plans were proven optimal or came
within 1 percentage point of their lower bound, and how much lower the largest capacity
among those given cases is than the simple rule's (`greedy_plan`, not timed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

AS_OF = date(2026, 11, 20)


@dataclass(frozen=True)
class Measured:
    pdu: str
    queued: int
    practitioners: int
    seconds: float
    status: str
    gap: Decimal | None  # largest capacity after less the lower bound, in percentage points
    # The simple rule's largest capacity among those given cases less the plan's.
    below_greedy: Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()

    from wmt.demo.generate import write_demo_snapshot
    from wmt.domain.points import default_points_configuration
    from wmt.engine import calculate
    from wmt.engine.allocation import allocated_in_last
    from wmt.engine.tables import OWNER_KEY
    from wmt.ingest.case_folder import read_case_folder
    from wmt.planning.plan import Plan, greedy_plan, suggest_plan

    with tempfile.TemporaryDirectory(prefix="wmt-bench-") as work:
        data = Path(work) / "national"
        summary = write_demo_snapshot(data, scale="national", seed=options.seed, as_of=AS_OF)
        print(f"National demo data: {summary}", file=sys.stderr)
        tables, on = read_case_folder(data)

    config = default_points_configuration()
    pdu_of_team = tables.units.select("team_code", "pdu_code")
    owners = (
        calculate(tables, config, on)
        .owners.join(allocated_in_last(tables.cases, on), on=OWNER_KEY, how="left")
        .with_columns(pl.col("allocated_last_7_days").fill_null(0))
        .join(pdu_of_team, on="team_code")
    )
    queued = tables.cases.filter(pl.col("staff_code").is_null()).join(pdu_of_team, on="team_code")

    def largest_given(plan: Plan) -> Decimal:
        return max((placed.capacity_after for placed in plan.allocations), default=Decimal(0))

    measured: list[Measured] = []
    simple: dict[str, Plan] = {}
    started = time.perf_counter()
    for pdu in sorted(pdu_of_team["pdu_code"].unique()):
        unit_owners = owners.filter(pl.col("pdu_code") == pdu)
        unit_queue = queued.filter(pl.col("pdu_code") == pdu)
        paused = time.perf_counter()
        simple[pdu] = greedy_plan(unit_queue, unit_owners, config, on)
        started += time.perf_counter() - paused
        plan = suggest_plan(
            unit_queue,
            unit_owners,
            config,
            on,
            time_limit=options.time_limit,
            workers=options.workers,
        )
        gap = (
            None
            if plan.max_capacity_after is None or plan.lower_bound is None
            else plan.max_capacity_after - plan.lower_bound
        )
        measured.append(
            Measured(
                pdu,
                unit_queue.height,
                unit_owners.height,
                plan.seconds,
                plan.status,
                gap,
                largest_given(simple[pdu]) - largest_given(plan),
            )
        )
    total = time.perf_counter() - started

    slowest = max(measured, key=lambda m: m.seconds)
    optimal = sum(m.status == "optimal" for m in measured)
    within = sum(m.gap is not None and m.gap <= 1 for m in measured)
    largest_gap = max((m.gap for m in measured if m.gap is not None), default=None)
    queue_sizes = [m.queued for m in measured]
    print(
        f"{len(measured)} PDUs, {sum(queue_sizes)} queued cases ({min(queue_sizes)} to "
        f"{max(queue_sizes)} a PDU), seed {options.seed}, time limit {options.time_limit} s"
    )
    below = [m.below_greedy for m in measured]
    print(
        "| All PDUs | Slowest PDU | Proven optimal | Within 1 point of the bound | Largest gap "
        "| Below the simple rule among those given cases |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {total:.2f} s | {slowest.seconds:.2f} s ({slowest.pdu}: {slowest.queued} cases, "
        f"{slowest.practitioners} practitioners) | {optimal} | {within} | {largest_gap} "
        f"| {sum(below) / len(below):.2f} points on average; lower in {sum(b > 0 for b in below)} "
        f"PDUs, higher in {sum(b < 0 for b in below)} (each placing more) |"
    )


if __name__ == "__main__":
    main()
