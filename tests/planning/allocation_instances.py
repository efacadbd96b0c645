"""Small allocation problems for property tests, and the brute force that solves them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np
import polars as pl
from hypothesis import strategies as st

from tests.builders import ON, config_with, snapshot
from wmt.domain.cases import CaseType
from wmt.domain.eligibility import default_eligibility_rules
from wmt.engine import calculate
from wmt.engine.allocation import candidates, case_points_centi
from wmt.engine.arithmetic import capacity_tenths, round_centi_half_up
from wmt.engine.tables import SnapshotTables
from wmt.engine.workload import total_points_centi

RULES = default_eligibility_rules()
# A small nominal target, so that a handful of cases fills someone up.
CONFIG = config_with(target=500)
TIERS = ("A1", "B3", "B0", "C2", "D1", "D0", "untiered")
GRADES = ("PO", "PO", "PQiP", "PSO", "SPO")


@dataclass(frozen=True)
class Instance:
    tables: SnapshotTables
    owners: pl.DataFrame  # the engine's owner rows, with allocated_last_7_days
    queued: pl.DataFrame  # cases to place
    held: pl.DataFrame  # the cases the owners hold


@st.composite
def instances(
    draw: st.DrawFn,
    most_cases: int = 6,
    most_people: int = 4,
    most_held: int = 6,
    *,
    fewest_cases: int = 1,
    fewest_held: int = 0,
) -> Instance:
    people = draw(st.integers(min_value=1, max_value=most_people))
    staff = [
        {
            "staff_code": f"S{n}",
            "team_code": "T1",
            "grade": draw(st.sampled_from(GRADES)),
            "contracted_hours_centi": draw(st.sampled_from([1850, 3000, 3700])),
        }
        for n in range(people)
    ]
    held = [
        {
            "crn": f"H{n}",
            "staff_code": draw(st.sampled_from(staff))["staff_code"],
            "team_code": "T1",
            "case_type": draw(st.sampled_from([t.value for t in CaseType])),
            "tier": draw(st.sampled_from(TIERS)),
            "allocated_date": ON - timedelta(days=draw(st.integers(0, 60))),
            "locked": draw(st.booleans()),
        }
        for n in range(draw(st.integers(min_value=fewest_held, max_value=most_held)))
    ]
    queued = [
        {
            "crn": f"Q{n}",
            "case_type": draw(st.sampled_from([t.value for t in CaseType])),
            "tier": draw(st.sampled_from(TIERS)),
            "t2a": draw(st.booleans()),
            "rosh": draw(st.sampled_from([None, "low", "medium", "high", "very_high"])),
            "previous_staff_code": draw(
                st.one_of(st.none(), st.sampled_from([p["staff_code"] for p in staff]))
            ),
        }
        for n in range(draw(st.integers(min_value=fewest_cases, max_value=most_cases)))
    ]
    tables = snapshot(staff=staff, cases=held)
    recent = [draw(st.integers(min_value=0, max_value=1)) for _ in staff]
    owners = (
        calculate(tables, CONFIG, ON)
        .owners.sort("staff_code")
        .with_columns(allocated_last_7_days=pl.Series(recent, dtype=pl.Int64))
    )
    queued_frame = pl.DataFrame(
        queued,
        schema={
            "crn": pl.String,
            "case_type": pl.String,
            "tier": pl.String,
            "t2a": pl.Boolean,
            "rosh": pl.String,
            "previous_staff_code": pl.String,
        },
    )
    locked = [case["crn"] for case in held if case["locked"]]
    marked = tables.cases.with_columns(locked=pl.col("crn").is_in(locked))
    return Instance(tables=tables, owners=owners, queued=queued_frame, held=marked)


def eligible_pairs(instance: Instance) -> set[tuple[str, str]]:
    found = candidates(instance.queued, instance.owners, CONFIG, RULES, ON)
    return set(found.filter(pl.col("eligible")).select("crn", "staff_code").rows())


def capacities_after(owners: pl.DataFrame, added_centi: np.ndarray) -> np.ndarray:
    """Each row of added points (one column per owner, in the owners' order) as every owner's
    capacity after, in tenths, by the engine's arithmetic."""
    rows, people = added_centi.shape
    frame = pl.DataFrame(
        {
            "base": np.tile(owners.select(total_points_centi()).to_series().to_numpy(), rows),
            "available": np.tile(owners["available_points"].to_numpy(), rows),
            "added": added_centi.reshape(-1),
        }
    )
    tenths = frame.select(
        capacity_tenths(round_centi_half_up(pl.col("base") + pl.col("added")), pl.col("available"))
    ).to_series()
    return tenths.to_numpy().reshape(rows, people)


def points_of(instance: Instance) -> dict[str, int]:
    scored = case_points_centi(instance.queued, CONFIG)
    return dict(zip(scored["crn"], scored["points_centi"], strict=True))


@dataclass(frozen=True)
class Outcome:
    """What the objectives of a plan see."""

    unplaced: tuple[int, int]  # points in hundredths, cases
    largest_given: int | None  # the largest capacity after among those given a case
    continuity: int
    to_recent: int


def all_plans(instance: Instance, ceiling: Decimal | None) -> list[tuple[dict[str, str], Outcome]]:
    """Every way of placing the queue among eligible owners (or leaving cases unplaced when a
    ceiling applies), with the ceiling kept."""
    owners = instance.owners
    codes = owners["staff_code"].to_list()
    pairs = eligible_pairs(instance)
    points = points_of(instance)
    crns = instance.queued["crn"].to_list()
    previous = dict(zip(crns, instance.queued["previous_staff_code"], strict=True))
    recent = set(owners.filter(pl.col("allocated_last_7_days") > 0)["staff_code"])
    choices = [
        [None, *(code for code in codes if (crn, code) in pairs)]
        if ceiling is not None or not any((crn, code) in pairs for code in codes)
        else [code for code in codes if (crn, code) in pairs]
        for crn in crns
    ]
    combos = list(itertools.product(*choices))
    added = np.zeros((len(combos), len(codes)), dtype=np.int64)
    for row, combo in enumerate(combos):
        for crn, code in zip(crns, combo, strict=True):
            if code is not None:
                added[row, codes.index(code)] += points[crn]
    after = capacities_after(owners, added)
    plans = []
    for row, combo in enumerate(combos):
        given = {codes.index(code) for code in combo if code is not None}
        if ceiling is not None and any(after[row, g] > int(ceiling * 10) for g in given):
            continue
        left = [crn for crn, code in zip(crns, combo, strict=True) if code is None]
        placed = {crn: code for crn, code in zip(crns, combo, strict=True) if code is not None}
        plans.append(
            (
                placed,
                Outcome(
                    unplaced=(sum(points[crn] for crn in left), len(left)),
                    largest_given=max((int(after[row, g]) for g in given), default=None),
                    continuity=sum(previous[crn] == code for crn, code in placed.items()),
                    to_recent=sum(code in recent for code in placed.values()),
                ),
            )
        )
    return plans


def outcome_of(instance: Instance, placed: dict[str, str], largest_given: int | None) -> Outcome:
    points = points_of(instance)
    crns = instance.queued["crn"].to_list()
    previous = dict(zip(crns, instance.queued["previous_staff_code"], strict=True))
    recent = set(instance.owners.filter(pl.col("allocated_last_7_days") > 0)["staff_code"])
    left = [crn for crn in crns if crn not in placed]
    return Outcome(
        unplaced=(sum(points[crn] for crn in left), len(left)),
        largest_given=largest_given,
        continuity=sum(previous[crn] == code for crn, code in placed.items()),
        to_recent=sum(code in recent for code in placed.values()),
    )


def tenths(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 10)
