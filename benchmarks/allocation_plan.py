"""Measure suggesting a plan and rebalancing for a large PDU.

    python benchmarks/allocation_plan.py [--seed 1] [--time-limit 10] [--workers 1]

The PDU has 100 practitioners in 8 teams (PO, PQiP, PSO and a few SPOs), each holding cases
that put them between about 45 % and 105 %, and 650 queued cases of every tier and type; the
rebalance is of the same people holding more (about 60 % to 140 %). The data is built from
the seed, so every run measures the same problem. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import polars as pl

from wmt.domain.cases import CaseType
from wmt.domain.points import default_points_configuration

AS_OF = date(2026, 11, 20)
PRACTITIONERS = 100
TEAMS = 8
QUEUED = 650
GRADES = ["PO"] * 55 + ["PQiP"] * 15 + ["PSO"] * 25 + ["SPO"] * 5
CASE_TYPES = ["community"] * 6 + ["licence"] * 3 + ["custody"] * 1
TIERS = [f"{letter}{digit}" for letter in "ABCD" for digit in "3210"]
ROSH = [None, "low", "low", "medium", "medium", "high", "very_high"]


def staff(rng: random.Random) -> list[dict[str, Any]]:
    grades = rng.sample(GRADES, len(GRADES))
    return [
        {
            "staff_code": f"N{n:03d}",
            "team_code": f"T{n % TEAMS}",
            "grade": grades[n],
            "contracted_hours_centi": rng.choice([None, None, None, 3000, 1850]),
        }
        for n in range(PRACTITIONERS)
    ]


def held_cases(
    rng: random.Random, people: list[dict[str, Any]], lowest: float, highest: float
) -> list[dict[str, Any]]:
    """Cases for each practitioner until they hold between the lowest and highest share of
    their points (and up to one case more)."""
    points = default_points_configuration().case_points
    cases: list[dict[str, Any]] = []
    for person in people:
        if person["grade"] == "SPO":
            continue
        hours = (person["contracted_hours_centi"] or 3700) / 3700
        aim, held = 2176 * hours * rng.uniform(lowest, highest), 0
        tiers = TIERS if person["grade"] == "PO" else TIERS[8:]
        while held < aim:
            case_type, tier = rng.choice(CASE_TYPES), rng.choice(tiers)
            held += points[CaseType(case_type)][tier]
            cases.append(
                {
                    "crn": f"H{len(cases):05d}",
                    "staff_code": person["staff_code"],
                    "team_code": person["team_code"],
                    "case_type": case_type,
                    "tier": tier,
                    "allocated_date": AS_OF - timedelta(days=rng.randint(0, 700)),
                }
            )
    return cases


def queue(rng: random.Random, people: list[dict[str, Any]]) -> pl.DataFrame:
    codes = [person["staff_code"] for person in people]
    return pl.DataFrame(
        [
            {
                "crn": f"Q{n:05d}",
                "case_type": rng.choice(CASE_TYPES),
                "tier": rng.choice(TIERS),
                "t2a": rng.random() < 0.05,
                "rosh": rng.choice(ROSH),
                "previous_staff_code": rng.choice(codes) if rng.random() < 0.2 else None,
            }
            for n in range(QUEUED)
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()

    from wmt.engine import calculate
    from wmt.engine.allocation import allocated_in_last
    from wmt.engine.tables import SnapshotTables
    from wmt.planning.plan import greedy_plan, suggest_plan
    from wmt.planning.rebalance import rebalance

    rng = random.Random(options.seed)
    people = staff(rng)
    tables = SnapshotTables.from_frames(
        units=pl.DataFrame(
            {"team_code": [f"T{n}" for n in range(TEAMS)], "pdu_code": "P1", "region_code": "R1"}
        ),
        staff=pl.DataFrame(people, infer_schema_length=None),
        cases=pl.DataFrame(held_cases(rng, people, 0.45, 0.95), infer_schema_length=None),
    )
    config = default_points_configuration()
    # For the rebalance, the same people holding more: some up to about 140 %.
    more = pl.DataFrame(held_cases(rng, people, 0.6, 1.3), infer_schema_length=None)
    busy = replace(tables, cases=SnapshotTables.from_frames(cases=more).cases)
    busy_owners = calculate(busy, config, AS_OF).owners
    owners = calculate(tables, config, AS_OF).owners.join(
        allocated_in_last(tables.cases, AS_OF), on=["staff_code", "team_code"], how="left"
    )
    owners = owners.with_columns(pl.col("allocated_last_7_days").fill_null(0))
    queued = queue(rng, people)
    limit, workers = options.time_limit, options.workers

    start = time.perf_counter()
    greedy = greedy_plan(queued, owners, config, AS_OF)
    greedy_seconds = time.perf_counter() - start
    start = time.perf_counter()
    plan = suggest_plan(queued, owners, config, AS_OF, time_limit=limit, workers=workers)
    plan_seconds = time.perf_counter() - start
    start = time.perf_counter()
    moves = rebalance(busy.cases, busy_owners, config, AS_OF, time_limit=limit, workers=workers)
    rebalance_seconds = time.perf_counter() - start

    print(f"{QUEUED} queued cases, {PRACTITIONERS} practitioners, seed {options.seed}")
    print("| Step | Time | Status | Largest capacity after | Lower bound | Unplaced |")
    print("|---|---|---|---|---|---|")
    print(
        f"| greedy plan | {greedy_seconds:.2f} s | — | {greedy.max_capacity_after} % | — "
        f"| {len(greedy.unplaced)} |"
    )
    print(
        f"| suggest plan | {plan_seconds:.2f} s | {plan.status} | {plan.max_capacity_after} % "
        f"| {plan.lower_bound} % | {len(plan.unplaced)} ({plan.shortfall_officers} FTE) |"
    )
    print(
        f"| rebalance | {rebalance_seconds:.2f} s | {moves.status} | "
        f"{moves.max_capacity_before} % → {moves.max_capacity_after} % | — "
        f"| {len(moves.moves)} moves |"
    )


if __name__ == "__main__":
    main()
