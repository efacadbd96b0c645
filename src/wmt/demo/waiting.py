"""What allocating a demo case needs: sentence dates, risk of serious harm, previous
practitioners and first appointments, and how many cases each team has waiting.

Drawn from a stream of its own (`QUEUE_STREAM`), after everything else, so the held cases,
reports and contacts (and every figure) are those the generator always wrote.

The queue: a few cases wait in every offender-management team; in the national demo a few
PDUs have hundreds waiting, the worst about 650, as one London PDU had in 2022 (published
figures).
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from wmt.demo.people import blank_unless
from wmt.domain.cases import ROSH_LEVELS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

QUEUE_STREAM: Final = 0xA110C
# ROSH (low, medium, high, very high) by tier letter A-D: mostly low and medium overall, high
# and very high for the A and B tiers that high risk puts there.
ROSH_BY_LETTER_P: Final = np.array(
    [
        [0.05, 0.35, 0.50, 0.10],
        [0.15, 0.60, 0.23, 0.02],
        [0.55, 0.42, 0.03, 0.00],
        [0.85, 0.15, 0.00, 0.00],
    ]
)
ROSH_NOT_KNOWN_SHARE: Final = 0.03
# A case waits about a week from sentence or release; held cases were sentenced shortly
# before they were allocated. A few waiting cases give no sentence date (wmt then counts the
# wait from the first snapshot in which they appear unallocated).
WAITING_DAYS: Final = (0, 15)
BACKLOG_WAITING_DAYS: Final = (0, 120)  # in a PDU with hundreds waiting, some wait months
SENTENCE_BEFORE_ALLOCATION_DAYS: Final = (1, 15)
NO_SENTENCE_DATE_SHARE: Final = 0.05
FIRST_APPOINTMENT_DAYS: Final = (1, 8)  # after sentence or release; none for custody
# Share of cases whose person was managed before, and of those by someone in the same team.
PREVIOUSLY_MANAGED_SHARE: Final = 0.3
SAME_TEAM_SHARE: Final = 0.6
# Waiting cases per offender-management team in every demo, and the PDUs with a backlog.
QUEUE_PER_TEAM: Final = (2, 3)
BACKLOG_PDUS: Final = {"small": 0, "national": 5}
WORST_BACKLOG: Final = 650
BACKLOG: Final = (150, 450)
# Cases added to the queues: "Q", a letter, five digits, unlike generated CRNs (a letter and
# six digits) and the weekly series' new cases ("Z", a letter, five digits).
QUEUE_CRN_BLOCK: Final = 100_000


def queued_crns(n: int) -> pl.Series:
    """Reference numbers for the cases added to the queues, in order."""
    if n > 26 * QUEUE_CRN_BLOCK:
        raise ValueError("too many waiting cases for the queue's case reference numbers")
    number = np.arange(n)
    letters = pl.Series(np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))[number // QUEUE_CRN_BLOCK])
    return "Q" + letters + pl.Series(number % QUEUE_CRN_BLOCK).cast(pl.String).str.zfill(5)


def queue_sizes(
    rng: np.random.Generator, units: pl.DataFrame, scale: str
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """How many cases to add to each team's queue (none in custody teams): a few everywhere,
    and the backlog of the worst PDUs spread over their offender-management teams; and which
    teams are in those PDUs."""
    custody = units["_custody"].to_numpy()
    low, high = QUEUE_PER_TEAM
    sizes = np.where(custody, 0, rng.integers(low, high + 1, custody.size)).astype(np.int64)
    pdu = units["_pdu_idx"].to_numpy()
    worst = _backlogged_pdus(rng, units, BACKLOG_PDUS[scale])
    backlog = np.concatenate(
        [[WORST_BACKLOG], rng.integers(BACKLOG[0], BACKLOG[1] + 1, max(worst.size - 1, 0))]
    )
    for index, size in zip(worst, backlog[: worst.size], strict=True):
        teams = np.flatnonzero((pdu == index) & ~custody)
        sizes[teams] += rng.multinomial(size, np.full(teams.size, 1 / teams.size))
    return sizes, np.isin(pdu, worst) & ~custody


def _backlogged_pdus(rng: np.random.Generator, units: pl.DataFrame, count: int) -> IntArray:
    """The PDUs with hundreds waiting, the worst first: a London one where there is one."""
    if count == 0:
        return np.array([], dtype=np.int64)
    pdu = units["_pdu_idx"].to_numpy()
    london = np.unique(pdu[(units["region_name"] == "London").to_numpy()])
    others = np.setdiff1d(np.unique(pdu), london)
    worst = rng.choice(london if london.size else others, 1)
    rest = rng.choice(np.setdiff1d(np.unique(pdu), worst), count - 1, replace=False)
    return np.concatenate([worst, rest]).astype(np.int64)


def add_waiting_details(
    rng: np.random.Generator,
    cases: pl.DataFrame,
    staff: pl.DataFrame,
    backlogged: npt.NDArray[np.bool_],
    as_of: date,
) -> pl.DataFrame:
    """The cases with sentence_date, previous_staff_code, rosh and initial_appointment_date
    (in that order, after allocated_date); `backlogged` marks cases in a PDU's backlog."""
    n = cases.height
    waiting = cases["_owner"].to_numpy() < 0
    sentence = _sentence_dates(rng, cases, waiting, backlogged, as_of)
    appointment = sentence + rng.integers(*FIRST_APPOINTMENT_DAYS, n).astype("timedelta64[D]")
    seen = ~waiting & (cases["case_type"] != "custody").to_numpy()
    appointment = np.where(
        seen, np.minimum(appointment, np.datetime64(as_of, "D")), np.datetime64("NaT")
    )
    return cases.with_columns(
        sentence_date=pl.Series(sentence, dtype=pl.Date),
        previous_staff_code=_previous_practitioners(rng, cases, staff),
        rosh=_rosh(rng, cases["tier"]),
        initial_appointment_date=pl.Series(appointment, dtype=pl.Date),
    )


def _sentence_dates(
    rng: np.random.Generator,
    cases: pl.DataFrame,
    waiting: npt.NDArray[np.bool_],
    backlogged: npt.NDArray[np.bool_],
    as_of: date,
) -> npt.NDArray[np.datetime64]:
    n = cases.height
    today = np.datetime64(as_of, "D")
    waited = np.where(
        backlogged,
        rng.integers(*BACKLOG_WAITING_DAYS, n),
        rng.integers(*WAITING_DAYS, n),
    )
    allocated = cases["allocated_date"].to_numpy().astype("datetime64[D]")
    before = rng.integers(*SENTENCE_BEFORE_ALLOCATION_DAYS, n)
    held = np.where(np.isnat(allocated), today, allocated) - before
    sentence = np.where(waiting, today - waited, held)
    unknown = waiting & (rng.random(n) < NO_SENTENCE_DATE_SHARE)
    return np.where(unknown, np.datetime64("NaT"), sentence).astype("datetime64[D]")


def _rosh(rng: np.random.Generator, tier: pl.Series) -> pl.Series:
    """ROSH consistent with the tier's letter; blank for untiered cases and a few others."""
    letter = tier.fill_null("").str.slice(0, 1).to_numpy()
    index = np.searchsorted(np.array(list("ABCD")), letter)
    p = ROSH_BY_LETTER_P[np.minimum(index, 3)]
    drawn = np.minimum((rng.random((tier.len(), 1)) > np.cumsum(p, axis=1)).sum(axis=1), 3)
    known = tier.is_not_null().to_numpy() & (rng.random(tier.len()) >= ROSH_NOT_KNOWN_SHARE)
    return blank_unless(np.array(ROSH_LEVELS)[drawn], known)


def _previous_practitioners(
    rng: np.random.Generator, cases: pl.DataFrame, staff: pl.DataFrame
) -> pl.Series:
    """For some cases, who managed the person before: often someone in the case's team, else
    anyone in the service; never the practitioner who holds the case now."""
    n = cases.height
    team = cases["_team_idx"].to_numpy()
    staff_team = staff["_team_idx"].to_numpy()
    by_team = np.argsort(staff_team, kind="stable")
    sorted_team = staff_team[by_team]
    first = np.searchsorted(sorted_team, team, side="left")
    size = np.searchsorted(sorted_team, team, side="right") - first
    drawn = first + (rng.random(n) * size).astype(np.int64)
    in_team = by_team[np.minimum(drawn, by_team.size - 1)]
    anyone = rng.integers(0, staff.height, n)
    same_team = (rng.random(n) < SAME_TEAM_SHARE) & (size > 0)
    codes = staff["staff_code"].gather(np.where(same_team, in_team, anyone))
    holder = cases["staff_code"].fill_null("").to_numpy()
    managed = (rng.random(n) < PREVIOUSLY_MANAGED_SHARE) & (codes.to_numpy() != holder)
    return blank_unless(codes.to_numpy(), managed)
