"""A weekly series of demo snapshots in which a few practitioners drift into sustained overload.

Every week is the ordinary demo snapshot for that date (the same people and cases, with dates
shifted), so without changes every line would be flat. Two changes are planned once, on week 0,
and applied to each week's `cases.csv`:

- drift: about 4 % of PO and PSO owners with a comfortable capacity in week 0 are given extra
  cases from week 1, so that they pass 110 % in week 2 and stay above it, rising gently;
- churn: about 1 % of everyone else's cases close each week and are replaced by a new case for
  the same owner, like another case they hold, so lines move without drifting.

The owners who drift are listed in `series.txt` beside the weekly folders (not inside them, so
each folder stays plain case-level input).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from wmt.demo.generate import (
    CASE_TYPE_P,
    CASE_TYPES,
    CUSTODY_TEAM_CASE_TYPE_P,
    GRADE_ORDER,
    TIER_DIGIT_P,
    TIER_LETTER_P,
    Scale,
    write_demo_snapshot,
)
from wmt.domain.cases import SUPERVISED_TIERS, CaseType
from wmt.domain.points import default_points_configuration
from wmt.engine import calculate
from wmt.ingest.case_folder import to_tables, validate

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SERIES_FILE: Final = "series.txt"
# A stream of its own, so that the series' draws never disturb the generator's.
SERIES_STREAM: Final = 0x5E1E5

DRIFT_SHARE: Final = 0.04
MIN_DRIFTERS: Final = 2
DRIFT_GRADES: Final = ("PO", "PSO")
# Capacity (tenths of a percent) in week 0 of the owners chosen to drift. When a small demo has
# too few owners in this band, the nearest below it (down to FALLBACK_FLOOR) drift instead.
DRIFT_BAND: Final = (850, 1080)
FALLBACK_FLOOR: Final = 500
# One case of 13-50 points must not move an owner across 110 % on its own; below about half
# time it would, so part-timers with fewer available points than this are not chosen.
MIN_AVAILABLE_POINTS: Final = 1000
# Capacity targets in percent: week 1 rises part of the way towards WEEK1_CEILING; week 2
# starts in OVER_START and the last week ends in OVER_END, linearly in between.
WEEK1_CEILING: Final = 108.5
WEEK1_STEP: Final = (0.3, 0.7)
OVER_START: Final = (112.5, 115.0)
OVER_END: Final = (118.0, 128.0)
CANDIDATES_PER_WEEK: Final = 32  # realistic cases drawn per drifting owner and week
TOP_UPS: Final = 4  # low-tier cases that close the last gap to the week's target

# Excessive workload (HM Inspectorate of Probation): over 110 % for four consecutive weeks.
OVERLOAD_TENTHS: Final = 1100
RUN_WEEKS: Final = 4

CHURN_RATE: Final = 0.01  # share of cases closed (and replaced) each week
WEEK_DAYS: Final = 7
# New case reference numbers: "Z", a letter, five digits. Generated CRNs are a letter and six
# digits, so the second character (a letter here) keeps the two apart.
NEW_CRN_BLOCK: Final = 100_000
OWNER: Final = ["team_code", "staff_code"]
ALLOCATION_COLUMNS: Final = (
    "sentence_date",
    "previous_staff_code",
    "rosh",
    "initial_appointment_date",
)


def write_demo_series(
    out_folder: Path, *, scale: Scale = "small", seed: int = 1, last_as_of: date, weeks: int = 6
) -> list[Path]:
    """Write `weeks` weekly case-level snapshots ending on last_as_of, one subfolder each named
    by ISO date (out_folder/2026-10-16/, …), oldest first; return the folders."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    dates = [last_as_of - timedelta(weeks=weeks - 1 - k) for k in range(weeks)]
    folders = [out_folder / day.isoformat() for day in dates]
    write_demo_snapshot(folders[0], scale=scale, seed=seed, as_of=dates[0])
    files = validate(folders[0])
    owners = calculate(to_tables(files), default_points_configuration(), dates[0]).owners
    custody_teams = files["units"].filter(pl.col("team_name").str.contains("(?i)custody|omic"))
    owners = owners.with_columns(
        custody=pl.col("team_code").is_in(custody_teams["team_code"].implode())
    )

    rng = np.random.default_rng([SERIES_STREAM, seed])
    base = files["cases"]
    drifters = _choose_drifters(rng, owners)
    closed, replacements = _plan_churn(rng, base, drifters, weeks, dates[0])
    extra = _plan_drift(rng, drifters, weeks, dates[0])
    closed, replacements = _spare_bystanders(
        files, dates[0], owners, drifters, closed, replacements, extra, weeks
    )
    added = _number_crns(pl.concat([replacements, extra]))

    for week in range(1, weeks):  # week 0 is the plain snapshot the plan was made on
        folder = folders[week]
        write_demo_snapshot(folder, scale=scale, seed=seed, as_of=dates[week])
        cases = pl.read_csv(folder / "cases.csv", infer_schema=False)
        _apply(cases, closed, added, week).write_csv(folder / "cases.csv")

    listing = drifters.select("staff_code", "team_code").sort("staff_code", "team_code")
    listing.write_csv(out_folder / SERIES_FILE)
    return folders


def drifting_owners(out_folder: Path) -> list[tuple[str, str]]:
    """The (staff_code, team_code) owners a series written into out_folder drifts."""
    listing = pl.read_csv(out_folder / SERIES_FILE, infer_schema=False)
    return [(staff, team) for staff, team in listing.select("staff_code", "team_code").rows()]


def _apply(
    cases: pl.DataFrame, closed: pl.DataFrame, added: pl.DataFrame, week: int
) -> pl.DataFrame:
    """A week's cases (every column as the text the generator wrote): the planned closures and
    new cases up to that week, in the generator's order."""
    gone = closed.filter(pl.col("week") <= week)["crn"].implode()
    new = added.filter(pl.col("week") <= week).select(cases.columns)
    kept = cases.filter(~pl.col("crn").is_in(gone))
    return pl.concat([kept, new]).sort("team_code", "staff_code", "crn", nulls_last=True)


def _spare_bystanders(
    files: dict[str, pl.DataFrame],
    on: date,
    owners: pl.DataFrame,
    drifters: pl.DataFrame,
    closed: pl.DataFrame,
    replacements: pl.DataFrame,
    extra: pl.DataFrame,
    weeks: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drop the churn of anyone it would carry from 110 % or less in week 0 into a run of
    RUN_WEEKS weeks over 110 %: only the drifters should show that pattern.

    Each week is scored on week 0's dates: every date in a week's folder is shifted by the
    same number of days, so the capacities are the ones that folder will give. Dropping an
    owner's churn changes nobody else's points (contact credits do not depend on the holder).
    """
    if weeks <= RUN_WEEKS:  # week 0 is never over for them, so no run can be that long
        return closed, replacements
    added = _number_crns(pl.concat([replacements, extra]))
    config = default_points_configuration()
    over = [owners.select(*OWNER, over=pl.col("capacity_tenths") > OVERLOAD_TENTHS)]
    for week in range(1, weeks):
        cases = _apply(files["cases"], closed, added, week)
        scored = calculate(to_tables({**files, "cases": cases}), config, on).owners
        over.append(scored.select(*OWNER, over=pl.col("capacity_tenths") > OVERLOAD_TENTHS))
    run = pl.lit(0)
    longest = pl.lit(0)
    for week in range(weeks):
        flag = pl.col(f"over_{week}").cast(pl.Int64)
        run = (run + 1) * flag
        longest = pl.max_horizontal(longest, run)
    joined = over[0].rename({"over": "over_0"})
    for week, frame in enumerate(over[1:], start=1):
        joined = joined.join(frame.rename({"over": f"over_{week}"}), on=OWNER, how="left")
    spared = (
        joined.filter(~pl.col("over_0") & (longest >= RUN_WEEKS))
        .join(drifters, on=OWNER, how="anti")
        .select(OWNER)
    )
    return (
        closed.join(spared, on=OWNER, how="anti", nulls_equal=True),
        replacements.join(spared, on=OWNER, how="anti", nulls_equal=True),
    )


def _choose_drifters(rng: np.random.Generator, owners: pl.DataFrame) -> pl.DataFrame:
    """About DRIFT_SHARE of the case-holding PO and PSO owners, from those in DRIFT_BAND."""
    holders = owners.filter(pl.col("grade").is_in(DRIFT_GRADES) & (pl.col("caseload") > 0))
    wanted = max(MIN_DRIFTERS, round(DRIFT_SHARE * holders.height))
    # Leavers are left alone: they should be losing cases, not gaining them.
    eligible = holders.filter(
        pl.col("leave_date").is_null() & (pl.col("available_points") >= MIN_AVAILABLE_POINTS)
    ).sort("staff_code", "team_code")
    capacity = pl.col("capacity_tenths")
    in_band = eligible.filter(capacity.is_between(*DRIFT_BAND))
    picked = in_band[rng.permutation(in_band.height)[:wanted]]
    if picked.height < wanted:
        nearest = eligible.filter(capacity.is_between(FALLBACK_FLOOR, DRIFT_BAND[0] - 1))
        nearest = nearest.sort(capacity, "staff_code", "team_code", descending=[True, False, False])
        picked = pl.concat([picked, nearest.head(wanted - picked.height)])
    return picked.select(
        "staff_code", "team_code", "grade", "custody", "total_points", "available_points"
    )


def _plan_churn(
    rng: np.random.Generator, base: pl.DataFrame, drifters: pl.DataFrame, weeks: int, first: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Which base cases close in which week, and the new case that replaces each one: same owner
    (or the same team's unallocated list), case type, tier and T2A of another case they hold."""
    n = base.height
    close_week = 1 + (rng.random(n) / CHURN_RATE).astype(np.int64)
    donor_u = rng.random(n)
    offset = rng.integers(0, WEEK_DAYS, n)
    drifting = drifters.select(*OWNER, drifting=pl.lit(True))
    planned = (
        base.with_row_index("row")
        .join(drifting, on=OWNER, how="left", nulls_equal=False, maintain_order="left")
        .with_columns(week=pl.Series(close_week), offset=pl.Series(offset))
        .with_columns(
            # Groups are contiguous (the file is sorted by team then staff), so a random
            # position in the group is its first row plus a draw below its size.
            donor=pl.col("row").cast(pl.Int64)
            - pl.int_range(pl.len()).over(OWNER)
            + (pl.Series(donor_u) * pl.len().over(OWNER)).cast(pl.Int64),
            allocated=pl.lit(first)
            + pl.duration(days=pl.col("week") * WEEK_DAYS - pl.col("offset")),
        )
        .filter((pl.col("week") < weeks) & pl.col("drifting").is_null())
    )
    donors = base.select("case_type", "tier", "t2a")[planned["donor"]]
    replacements = pl.concat(
        [planned.select(*OWNER, "week", "allocated"), donors], how="horizontal"
    ).select(
        "week",
        "staff_code",
        "team_code",
        "case_type",
        "tier",
        "t2a",
        allocated_date=pl.when(pl.col("staff_code").is_not_null()).then(
            pl.col("allocated").cast(pl.Date).cast(pl.String)
        ),
    )
    return planned.select("crn", "week", *OWNER), replacements


def _case_points() -> FloatArray:
    """Default points by (case type index in CASE_TYPES, supervised tier in nDelius order)."""
    config = default_points_configuration()
    return np.array(
        [
            [config.case_points[CaseType(ct)][tier] for tier in SUPERVISED_TIERS]
            for ct in CASE_TYPES
        ],
        dtype=np.float64,
    )


def _draw_index(rng: np.random.Generator, p: FloatArray, shape: tuple[int, int]) -> IntArray:
    """Categorical draws of the given shape; p is (rows, k) per row of the shape."""
    u = rng.random(shape)
    cumulative = np.cumsum(p, axis=1)[:, None, :]
    drawn: IntArray = np.minimum((u[:, :, None] > cumulative).sum(axis=2), p.shape[1] - 1)
    return drawn


def _plan_drift(
    rng: np.random.Generator, drifters: pl.DataFrame, weeks: int, first: date
) -> pl.DataFrame:
    """New cases for each drifting owner, week by week, reaching each week's capacity target.

    Cases are drawn from the grade's usual mix and kept while they fit under the target; then
    low-tier cases fill the gap to within a dozen points. Points only ever go up, and the
    drifters hold no case that churn closes, so their points are their week-0 points plus these.
    """
    n = drifters.height
    points = _case_points()
    grade = np.array([GRADE_ORDER.index(g) for g in drifters["grade"]], dtype=np.int64)
    custody = drifters["custody"].to_numpy()
    type_p = np.where(custody[:, None], CUSTODY_TEAM_CASE_TYPE_P, CASE_TYPE_P[grade])
    available = drifters["available_points"].to_numpy().astype(np.float64)
    current = drifters["total_points"].to_numpy().astype(np.float64)
    targets = _capacity_targets(rng, current * 100 / np.maximum(available, 1), weeks)
    fill_type, fill_tier, fill_points = _fillers(points)

    chunks: list[pl.DataFrame] = []
    for week in range(1, weeks):
        wanted = np.maximum(np.floor(targets[:, week] * available / 100) - current, 0)
        need = wanted.copy()
        m = CANDIDATES_PER_WEEK
        case_type = _draw_index(rng, type_p, (n, m))
        letter = _draw_index(rng, TIER_LETTER_P[grade], (n, m))
        digit = _draw_index(rng, np.broadcast_to(TIER_DIGIT_P, (n, 4)), (n, m))
        tier = letter * 4 + digit
        kept = np.zeros((n, m + TOP_UPS), dtype=bool)
        for candidate in range(m):
            value = points[case_type[:, candidate], tier[:, candidate]]
            # Zero-point cases (custody and licence tiers ending 0) would only pad the caseload.
            kept[:, candidate] = (value > 0) & (value <= need)
            need -= np.where(kept[:, candidate], value, 0)
        case_type = np.hstack([case_type, np.zeros((n, TOP_UPS), dtype=np.int64)])
        tier = np.hstack([tier, np.zeros((n, TOP_UPS), dtype=np.int64)])
        for step in range(m, m + TOP_UPS):
            pick = np.searchsorted(fill_points, need, side="right") - 1
            kept[:, step] = pick >= 0
            pick = np.maximum(pick, 0)
            case_type[:, step], tier[:, step] = fill_type[pick], fill_tier[pick]
            need -= np.where(kept[:, step], fill_points[pick], 0)
        current += wanted - need
        owner, slot = np.nonzero(kept)
        offset = rng.integers(0, WEEK_DAYS, owner.size)
        allocated = np.datetime64(first, "D") + week * WEEK_DAYS - offset
        chunks.append(
            pl.DataFrame(
                {
                    "week": np.full(owner.size, week, dtype=np.int64),
                    "staff_code": drifters["staff_code"].gather(owner),
                    "team_code": drifters["team_code"].gather(owner),
                    "case_type": CASE_TYPES[case_type[owner, slot]],
                    "tier": np.array(SUPERVISED_TIERS)[tier[owner, slot]],
                    "t2a": np.full(owner.size, "false"),
                    "allocated_date": pl.Series(allocated).cast(pl.String),
                }
            )
        )
    if not chunks:
        return pl.DataFrame(schema=_ADDED_SCHEMA)
    return pl.concat(chunks).cast(_ADDED_SCHEMA)


_ADDED_SCHEMA: Final = pl.Schema(
    {
        "week": pl.Int64,
        "staff_code": pl.String,
        "team_code": pl.String,
        "case_type": pl.String,
        "tier": pl.String,
        "t2a": pl.String,
        "allocated_date": pl.String,
    }
)


def _capacity_targets(rng: np.random.Generator, start: FloatArray, weeks: int) -> FloatArray:
    """Capacity % each drifter should reach by each week (column 0 is where they start)."""
    n = start.size
    targets = np.empty((n, weeks))
    targets[:, 0] = start
    if weeks > 1:
        step = rng.uniform(*WEEK1_STEP, n)
        targets[:, 1] = np.minimum(start + (WEEK1_CEILING - start) * step, WEEK1_CEILING)
    begin = rng.uniform(*OVER_START, n)
    end = rng.uniform(*OVER_END, n)
    for week in range(2, weeks):
        share = (week - 2) / (weeks - 3) if weeks > 3 else 0.0
        targets[:, week] = begin + (end - begin) * share
    return np.maximum.accumulate(targets, axis=1)


def _fillers(points: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Low-tier (C and D) cases, one per distinct points value, cheapest first: the cases that
    fine-tune a week's total. Any grade holds some of these."""
    low_tiers = [i for i, tier in enumerate(SUPERVISED_TIERS) if tier[0] in "CD"]
    options = sorted(
        (points[t, i], t, i) for t in range(len(CASE_TYPES)) for i in low_tiers if points[t, i] > 0
    )
    unique = {value: (t, i) for value, t, i in reversed(options)}  # keeps the first of equals
    values = sorted(unique)
    return (
        np.array([unique[v][0] for v in values], dtype=np.int64),
        np.array([unique[v][1] for v in values], dtype=np.int64),
        np.array(values, dtype=np.float64),
    )


def _number_crns(added: pl.DataFrame) -> pl.DataFrame:
    """Give the new cases unique reference numbers in a fixed order (see NEW_CRN_BLOCK)."""
    if added.height > 26 * NEW_CRN_BLOCK:
        raise ValueError("too many new cases for the series' case reference numbers")
    number = np.arange(added.height)
    letters = pl.Series(np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))[number // NEW_CRN_BLOCK])
    digits = pl.Series(number % NEW_CRN_BLOCK).cast(pl.String).str.zfill(5)
    # New cases come with no allocation details: the columns are optional.
    blank = [pl.lit(None, dtype=pl.String).alias(column) for column in ALLOCATION_COLUMNS]
    return added.with_columns(*blank, crn="Z" + letters + digits, flags=pl.lit(None, pl.String))
