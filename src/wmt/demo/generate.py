"""Write a synthetic, reproducible case-level snapshot in the open input format.

The national scale matches the published figures: about 10,500 workload owners in the published
grade mix, 240,000 cases and, with the default points, a capacity of about 117 % with full-time
POs holding about 36 cases. POs hold the heavy cases (about 90 points each); PSOs hold about 20
lower-tier cases and earn the rest from fast reports and CMS contacts on POs' cases, leaving POs
near 135-140 % and PSOs near 95 %. Reductions (reductions.py) lift the service above 100 %.

All randomness comes from one `numpy.random.default_rng(seed)` used in a fixed order, and every
file is sorted before writing, so the same seed, scale and date give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from wmt.demo.names import REGIONS
from wmt.demo.people import blank_unless, build_staff
from wmt.demo.reductions import build_reductions, workload_shares
from wmt.demo.waiting import QUEUE_STREAM, add_waiting_details, queue_sizes, queued_crns

Scale = Literal["small", "national"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DemoSummary:
    regions: int
    pdus: int
    teams: int
    practitioners: int
    cases: int


@dataclass(frozen=True)
class _ScaleSpec:
    regions: int
    pdus_per_region: int | None  # None: every PDU of the region
    om_teams: tuple[int, int]  # offender-management teams per PDU (inclusive); plus 1 custody
    case_holders: int  # owners other than SPOs and second-team rows, over the teams drawn


SCALES: Final[dict[str, _ScaleSpec]] = {
    "small": _ScaleSpec(regions=2, pdus_per_region=2, om_teams=(2, 2), case_holders=26),
    "national": _ScaleSpec(regions=12, pdus_per_region=None, om_teams=(4, 12), case_holders=10120),
}

TEAM_AREAS: Final = ("North", "South", "East", "West", "Central")

# Grades are handled as indexes into this tuple so that per-grade tables are numpy rows.
GRADE_ORDER: Final = ("PO", "PQiP", "PSO", "SPO")
# Mean caseload of a full-time owner with no reductions, and the gamma shape of the spread
# (shape 16 around 36 gives most POs 22-50 cases, a third of them over 40). POs hold the
# heavy cases; PSOs about 20 lower-tier cases and most of the fast reports and CMS contacts.
CASELOAD_MEAN: Final = np.array([35.0, 34.0, 20.0, 0.0])
CASELOAD_SHAPE: Final = np.array([16.0, 12.0, 12.0, 1.0])
CASELOAD_CAP: Final = 76  # nobody is allocated beyond this, however the draw falls
SPO_MAX_CASES: Final = 3
# Custody cases are worth fewer points, so officers in custody (OMIC) teams hold more of them.
CUSTODY_TEAM_CASELOAD_FACTOR: Final = 1.3

# Tier letter mix (A, B, C, D) by grade: POs hold the higher-risk cases, PQiPs mostly B and C,
# PSOs mostly C and D. With the case types below, a PO case in an offender-management team is
# worth about 100 points by its tier and 90 after T2A, S tiers and inactive flags; a PSO
# case about 62.
TIER_LETTER_P: Final = np.array(
    [
        [0.18, 0.56, 0.20, 0.06],
        [0.04, 0.42, 0.40, 0.14],
        [0.02, 0.30, 0.44, 0.24],
        [0.18, 0.56, 0.20, 0.06],
    ]
)
TIER_DIGIT_P: Final = np.array([0.35, 0.30, 0.25, 0.10])  # digits 3, 2, 1, 0
S_TIER_SHARE: Final = 0.03
UNTIERED_SHARE: Final = 0.01
# Case type mix (community, custody, licence) by grade in offender-management teams; custody
# (OMIC) teams hold mostly custody cases whoever the officer.
CASE_TYPES: Final = np.array(["community", "custody", "licence"])
CASE_TYPE_P: Final = np.array(
    [
        [0.43, 0.17, 0.40],
        [0.58, 0.15, 0.27],
        [0.80, 0.15, 0.05],
        [0.43, 0.17, 0.40],
    ]
)
CUSTODY_TEAM_CASE_TYPE_P: Final = np.array([0.03, 0.65, 0.32])
UNALLOCATED_SHARE: Final = 0.015
# Unallocated cases take the tier mix of the grade (PO, PQiP, PSO) that would most likely get
# them.
WAITING_GRADE_P: Final = np.array([0.6, 0.08, 0.32])
T2A_SHARE: Final = 0.06
ALLOCATION_WINDOW_DAYS: Final = 3 * 365

# Reports per 30 days (standard, fast, oral, parole) by grade; custody teams write few
# court reports but more parole reports.
REPORT_TYPES: Final = np.array(["standard", "fast", "oral", "parole"])
REPORT_RATES: Final = np.array(
    [
        [1.8, 0.6, 0.3, 0.08],
        [1.0, 1.0, 0.3, 0.02],
        [0.05, 4.0, 0.6, 0.0],
        [0.1, 0.2, 0.0, 0.0],
    ]
)
CUSTODY_TEAM_REPORT_FACTOR: Final = np.array([0.2, 0.2, 0.2, 6.0])
REPORT_WINDOW_DAYS: Final = 60
REPORT_CRN_SHARE: Final = 0.6

# Case management support, mostly PSOs on POs' cases: about 0.85 contacts in force per case,
# a quarter of PSOs' points and a sixth off POs'. Weights by grade (PO, PQiP, PSO, SPO) of the
# holder (which cases get support) and of the colleague who does it.
CONTACTS_PER_CASE: Final = 1.2
CONTACT_HOLDER_WEIGHT: Final = np.array([1.0, 0.7, 0.15, 0.5])
CONTACT_DOER_WEIGHT: Final = np.array([1, 1, 12, 0])
CONTACT_WINDOW_DAYS: Final = 10
UNKNOWN_CONTACT_SHARE: Final = 0.002
UNKNOWN_CONTACT_CODES: Final = np.array(["CMS99", "CMS40"])
FIRST_CONTACT_ID: Final = 4_000_001


def write_demo_snapshot(
    out_folder: Path, *, scale: Scale = "small", seed: int = 1, as_of: date
) -> DemoSummary:
    """Write one case-level snapshot (the CSV files of case-format.md plus snapshot.txt) into
    out_folder (created if missing)."""
    spec = SCALES[scale]
    rng = np.random.default_rng(seed)
    units = build_units(rng, spec)
    staff = build_staff(rng, units, as_of, spec.case_holders)
    reductions = build_reductions(rng, staff, as_of)
    share, working = workload_shares(staff, reductions, as_of)
    caseloads = draw_caseloads(rng, staff, share)
    cases = build_cases(rng, units, staff, caseloads, as_of)
    reports = build_reports(rng, staff, cases, caseloads, share, as_of)
    contacts = build_contacts(rng, staff, cases, working, as_of)
    cases = build_queues(
        np.random.default_rng([QUEUE_STREAM, seed]), units, staff, cases, scale, as_of
    )

    out_folder.mkdir(parents=True, exist_ok=True)
    (out_folder / "snapshot.txt").write_text(f"{as_of.isoformat()}\n", encoding="utf-8")
    tables = {
        "units": units,
        "staff": staff,
        "cases": cases,
        "reports": reports,
        "contacts": contacts,
        "reductions": reductions,
    }
    for name, table in tables.items():
        # Columns are built in the order of case-format.md; "_" columns are internal.
        table.select(pl.exclude("^_.*$")).write_csv(out_folder / f"{name}.csv")
    return DemoSummary(
        regions=units["region_code"].n_unique(),
        pdus=units["pdu_code"].n_unique(),
        teams=units.height,
        practitioners=staff["staff_code"].n_unique(),
        cases=cases.height,
    )


def build_units(rng: np.random.Generator, spec: _ScaleSpec) -> pl.DataFrame:
    """Regions, PDUs and teams; the last team of each PDU is custody-based (OMIC)."""
    rows: list[dict[str, object]] = []
    for r, (region_name, pdu_names) in enumerate(REGIONS[: spec.regions], start=1):
        for p, pdu_name in enumerate(pdu_names[: spec.pdus_per_region], start=1):
            n_om = int(rng.integers(spec.om_teams[0], spec.om_teams[1] + 1))
            team_names = [_om_team_name(pdu_name, k) for k in range(n_om)]
            team_names.append(f"{pdu_name} Custody (OMIC) Team")
            for t, team_name in enumerate(team_names, start=1):
                rows.append(
                    {
                        "region_code": f"R{r:02d}",
                        "region_name": region_name,
                        "pdu_code": f"R{r:02d}P{p:02d}",
                        "pdu_name": pdu_name,
                        "team_code": f"R{r:02d}P{p:02d}T{t:02d}",
                        "team_name": team_name,
                        "_custody": t == len(team_names),
                    }
                )
    units = pl.DataFrame(rows).sort("team_code")
    return units.with_columns(_pdu_idx=pl.col("pdu_code").rank("dense").cast(pl.Int64) - 1)


def _om_team_name(pdu_name: str, k: int) -> str:
    area = TEAM_AREAS[k % len(TEAM_AREAS)]
    return f"{pdu_name} {area} OM Team {k // len(TEAM_AREAS) + 1}"


def _grade_idx(staff: pl.DataFrame) -> IntArray:
    grade = staff["grade"].to_numpy()
    return np.select([grade == g for g in GRADE_ORDER], list(range(len(GRADE_ORDER))), 0)


def draw_caseloads(rng: np.random.Generator, staff: pl.DataFrame, share: FloatArray) -> IntArray:
    """Number of cases each workload owner holds (SPOs hold a handful at most)."""
    grade = _grade_idx(staff)
    custody = staff["_custody"].to_numpy()
    mean = CASELOAD_MEAN[grade] * share * np.where(custody, CUSTODY_TEAM_CASELOAD_FACTOR, 1.0)
    shape = CASELOAD_SHAPE[grade]
    drawn = np.rint(rng.gamma(shape, np.maximum(mean, 1e-9) / shape)).astype(np.int64)
    drawn = np.minimum(drawn, CASELOAD_CAP)
    spo_cases = rng.integers(0, SPO_MAX_CASES + 1, staff.height)
    return np.where(grade == GRADE_ORDER.index("SPO"), spo_cases, drawn)


def build_cases(
    rng: np.random.Generator,
    units: pl.DataFrame,
    staff: pl.DataFrame,
    caseloads: IntArray,
    as_of: date,
) -> pl.DataFrame:
    """Cases held on as_of, plus a few unallocated ones waiting in offender-management teams."""
    team_of_staff = staff["_team_idx"].to_numpy()
    owner = np.repeat(np.arange(staff.height), caseloads)
    n_unallocated = round(owner.size * UNALLOCATED_SHARE / (1 - UNALLOCATED_SHARE))
    om_teams = np.flatnonzero(~units["_custody"].to_numpy())
    team = np.concatenate([team_of_staff[owner], rng.choice(om_teams, n_unallocated)])
    owner = np.concatenate([owner, np.full(n_unallocated, -1)])
    # Unallocated cases take the tier mix of the grade that would most likely get them.
    grade = np.where(
        owner >= 0, _grade_idx(staff)[owner], rng.choice(3, owner.size, p=WAITING_GRADE_P)
    )
    custody_team = units["_custody"].to_numpy()[team]
    case_type = _draw_rows(
        rng, np.where(custody_team[:, None], CUSTODY_TEAM_CASE_TYPE_P, CASE_TYPE_P[grade])
    )
    n = owner.size
    start = staff["start_date"].to_numpy().astype("datetime64[D]")
    allocated = np.datetime64(as_of, "D") - rng.integers(0, ALLOCATION_WINDOW_DAYS + 1, n)
    allocated = np.where(owner >= 0, np.maximum(allocated, start[owner]), np.datetime64("NaT"))
    cases = pl.DataFrame(
        {
            "crn": _crns(rng, n),
            "staff_code": staff["staff_code"].gather(np.maximum(owner, 0)),
            "team_code": units["team_code"].gather(team),
            "case_type": CASE_TYPES[case_type],
            "tier": _draw_tiers(rng, grade),
            "t2a": rng.random(n) < T2A_SHARE,
            "flags": _draw_flags(rng, CASE_TYPES[case_type]),
            "allocated_date": allocated,
            "_owner": owner,
            "_team_idx": team,
        }
    )
    cases = cases.with_columns(staff_code=pl.when(pl.col("_owner") >= 0).then("staff_code"))
    return cases.sort("team_code", "staff_code", "crn", nulls_last=True)


def build_queues(
    rng: np.random.Generator,
    units: pl.DataFrame,
    staff: pl.DataFrame,
    cases: pl.DataFrame,
    scale: Scale,
    as_of: date,
) -> pl.DataFrame:
    """The cases with more waiting in every offender-management team (hundreds in a few
    national PDUs), and what allocating any case needs to know (waiting.py)."""
    sizes, backlogged_teams = queue_sizes(rng, units, scale)
    team = np.repeat(np.arange(units.height), sizes)
    n = team.size
    grade = rng.choice(3, n, p=WAITING_GRADE_P)
    case_type = CASE_TYPES[_draw_rows(rng, CASE_TYPE_P[grade])]
    waiting = pl.DataFrame(
        {
            "crn": queued_crns(n),
            "staff_code": pl.Series([None] * n, dtype=pl.String),
            "team_code": units["team_code"].gather(team),
            "case_type": case_type,
            "tier": _draw_tiers(rng, grade),
            "t2a": rng.random(n) < T2A_SHARE,
            "flags": _draw_flags(rng, case_type),
            "allocated_date": pl.Series([None] * n, dtype=pl.Date),
            "_owner": np.full(n, -1, dtype=np.int64),
            "_team_idx": team,
        }
    )
    everything = pl.concat([cases, waiting.select(cases.columns)], how="vertical_relaxed")
    backlogged = backlogged_teams[everything["_team_idx"].to_numpy()]
    detailed = add_waiting_details(rng, everything, staff, backlogged, as_of)
    return detailed.sort("team_code", "staff_code", "crn", nulls_last=True)


def _draw_rows(rng: np.random.Generator, p: FloatArray) -> IntArray:
    """One categorical draw per row of a (n, k) probability matrix."""
    n, k = p.shape
    u = rng.random((n, 1))
    drawn: IntArray = np.minimum((u > np.cumsum(p, axis=1)).sum(axis=1), k - 1)
    return drawn


def _draw_tiers(rng: np.random.Generator, grade: IntArray) -> pl.Series:
    n = grade.size
    letter = _draw_rows(rng, TIER_LETTER_P[grade])
    digit = _draw_rows(rng, np.broadcast_to(TIER_DIGIT_P, (n, 4)))
    tier = np.array(list("ABCD"))[letter] + np.array(list("3210"))[digit]
    u = rng.random(n)
    tier = np.where(u < S_TIER_SHARE, np.char.add(tier, "S"), tier)
    return blank_unless(tier, u < 1 - UNTIERED_SHARE)


def _draw_flags(rng: np.random.Generator, case_type: npt.NDArray[np.str_]) -> pl.Series:
    """`;`-separated flags; unpaid work and suspended sentences only on community cases."""
    n = case_type.size
    community = case_type == "community"
    flags = {
        "warrant": rng.random(n) < 0.02,
        "unpaid_work": community & (rng.random(n) < 0.06),
        "overdue_termination": rng.random(n) < 0.01,
        "priority": rng.random(n) < 0.04,
        "suspended_sentence": community & (rng.random(n) < 0.10),
        "suspended_lifer": (case_type == "licence") & (rng.random(n) < 0.0004),
    }
    frame = pl.DataFrame(flags)
    joined = frame.select(
        pl.concat_str(
            [pl.when(pl.col(name)).then(pl.lit(name)) for name in flags],
            separator=";",
            ignore_nulls=True,
        ).alias("flags")
    )["flags"]
    return joined.replace("", None)


def _crns(rng: np.random.Generator, n: int) -> pl.Series:
    """Unique case reference numbers: a letter and six digits."""
    numbers = rng.choice(26 * 10**6, n, replace=False)
    letters = pl.Series(np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))[numbers // 10**6])
    digits = pl.Series(numbers % 10**6).cast(pl.String).str.zfill(6)
    return letters + digits


def build_reports(
    rng: np.random.Generator,
    staff: pl.DataFrame,
    cases: pl.DataFrame,
    caseloads: IntArray,
    share: FloatArray,
    as_of: date,
) -> pl.DataFrame:
    """Court and parole reports completed over the 60 days up to and including as_of."""
    grade = _grade_idx(staff)
    # SPOs have no contracted hours by default, yet a few write the odd report.
    share = np.where(grade == GRADE_ORDER.index("SPO"), 1.0, share)
    custody = staff["_custody"].to_numpy()
    rates = REPORT_RATES[grade] * np.where(custody[:, None], CUSTODY_TEAM_REPORT_FACTOR, 1.0)
    counts = rng.poisson(rates * share[:, None] * REPORT_WINDOW_DAYS / 30)
    owner = np.repeat(np.repeat(np.arange(staff.height), 4), counts.ravel())
    kind = np.repeat(np.tile(np.arange(4), staff.height), counts.ravel())
    n = owner.size
    completed = np.datetime64(as_of, "D") - rng.integers(0, REPORT_WINDOW_DAYS, n)
    # A report often concerns someone already on the author's caseload; otherwise no CRN.
    owner_crns = cases.filter(pl.col("_owner") >= 0).sort("_owner", "crn")["crn"]
    first_case = np.concatenate([[0], np.cumsum(caseloads)])[owner]
    pick = first_case + (rng.random(n) * caseloads[owner]).astype(np.int64)
    has_crn = (caseloads[owner] > 0) & (rng.random(n) < REPORT_CRN_SHARE)
    crn = owner_crns.gather(np.where(has_crn, pick, 0))
    reports = pl.DataFrame(
        {
            "staff_code": staff["staff_code"].gather(owner),
            "team_code": staff["team_code"].gather(owner),
            "report_type": REPORT_TYPES[kind],
            "completed_date": completed,
            "crn": crn,
        }
    ).with_columns(crn=pl.when(pl.Series(has_crn)).then("crn"))
    return reports.sort(
        "staff_code", "team_code", "completed_date", "report_type", "crn", nulls_last=True
    )


def build_contacts(
    rng: np.random.Generator,
    staff: pl.DataFrame,
    cases: pl.DataFrame,
    working: FloatArray,
    as_of: date,
) -> pl.DataFrame:
    """CMS contacts by a team colleague (usually a PSO) on a case someone else holds; who
    does them depends on grade and on `working`, the share of a full-time week at work."""
    allocated = cases.filter(pl.col("_owner") >= 0)
    n = round(CONTACTS_PER_CASE * allocated.height)
    weight = CONTACT_HOLDER_WEIGHT[_grade_idx(staff)[allocated["_owner"].to_numpy()]]
    picked = rng.choice(allocated.height, n, p=weight / weight.sum())
    holder = allocated["_owner"].to_numpy()[picked]
    doer = _colleagues(rng, staff, holder, working)
    codes = np.char.add("CMS", np.char.zfill(rng.integers(1, 37, n).astype(str), 2))
    codes = np.where(
        rng.random(n) < UNKNOWN_CONTACT_SHARE, rng.choice(UNKNOWN_CONTACT_CODES, n), codes
    )
    contacts = pl.DataFrame(
        {
            "crn": allocated["crn"].gather(picked),
            "contact_date": np.datetime64(as_of, "D") - rng.integers(0, CONTACT_WINDOW_DAYS, n),
            "contact_type_code": codes,
            "staff_code": staff["staff_code"].gather(np.maximum(doer, 0)),
            "team_code": staff["team_code"].gather(np.maximum(doer, 0)),
        }
    ).filter(pl.Series(doer >= 0))
    contacts = contacts.sort("contact_date", "team_code", "crn", "staff_code", "contact_type_code")
    ids = pl.int_range(FIRST_CONTACT_ID, FIRST_CONTACT_ID + pl.len(), dtype=pl.Int64)
    return contacts.select(ids.alias("contact_id"), pl.all())


def _colleagues(
    rng: np.random.Generator, staff: pl.DataFrame, holder: IntArray, working: FloatArray
) -> IntArray:
    """For each case holder, a weighted random other owner in the same team (-1 if none).

    Owners are laid out team by team on a line of integer weights; drawing a point on the
    team's stretch with the holder's own stretch cut out picks a colleague in one vectorised
    step, with SPOs (weight 0) never chosen.
    """
    team = staff["_team_idx"].to_numpy()
    by_team = np.argsort(team, kind="stable")
    position = np.empty_like(by_team)
    position[by_team] = np.arange(by_team.size)
    weight = CONTACT_DOER_WEIGHT[_grade_idx(staff)] * np.rint(working * 100).astype(np.int64)
    edges = np.concatenate([[0], np.cumsum(weight[by_team])])
    sorted_team = team[by_team]
    lo = edges[np.searchsorted(sorted_team, team[holder], side="left")]
    hi = edges[np.searchsorted(sorted_team, team[holder], side="right")]
    own_lo = edges[position[holder]]
    own_weight = weight[holder]
    available = hi - lo - own_weight
    point = lo + (rng.random(holder.size) * np.maximum(available, 0)).astype(np.int64)
    point = np.where(point >= own_lo, point + own_weight, point)
    chosen = by_team[np.minimum(np.searchsorted(edges, point, side="right") - 1, by_team.size - 1)]
    return np.where(available > 0, chosen, -1)
