"""The hours of reductions in force day by day, and the rules for hours built on them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from wmt.domain.hours_rules import ReductionEntry, contracted_hours_problem, entry_problems
from wmt.domain.reductions import InForce, first_excess, of_reason

DEC_1 = date(2026, 12, 1)


class Reason:
    """A reason as the rules see it: a name and, perhaps, a maximum percent."""

    def __init__(self, name: str, maximum_percent: int | None = None) -> None:
        self.name = name
        self.maximum_percent = maximum_percent


def _entry(hours: str, start: date = DEC_1, end: date | None = None, **rest: str) -> ReductionEntry:
    return ReductionEntry(rest.get("reason", "Court duty"), Decimal(hours), start, end)


def test_overlapping_reductions_count_only_on_the_days_they_overlap() -> None:
    november = InForce("Court duty", Decimal(30), date(2026, 11, 1), date(2026, 11, 30))
    december = InForce("Court duty", Decimal(30), DEC_1, date(2026, 12, 31))
    assert first_excess([november, december], Decimal(37), date(2026, 1, 1)) is None
    touching = InForce("Court duty", Decimal(30), date(2026, 11, 30), None)
    over = first_excess([november, touching], Decimal(37), date(2026, 1, 1))
    assert over is not None and (over.day, over.total) == (date(2026, 11, 30), Decimal(60))


def test_the_first_day_over_the_limit_is_found_within_the_span_asked_about() -> None:
    early = InForce("Other", Decimal(20), date(2026, 1, 1), date(2026, 6, 30))
    late = InForce("Other", Decimal(20), date(2026, 3, 1), None)
    assert first_excess([early, late], Decimal(37), date(2026, 7, 1)) is None
    over = first_excess([early, late], Decimal(37), date(2026, 2, 1))
    assert over is not None and (over.day, over.total) == (date(2026, 3, 1), Decimal(40))
    assert first_excess([early, late], Decimal(37), date(2026, 1, 1), date(2026, 2, 28)) is None
    # Already over on the first day asked about: that day, with the total in force on it.
    over = first_excess([early, late], Decimal(37), date(2026, 4, 15))
    assert over is not None and (over.day, over.total) == (date(2026, 4, 15), Decimal(40))


def test_a_reduction_ending_before_it_starts_never_counts_and_the_last_day_is_safe() -> None:
    backwards = InForce("Other", Decimal(40), date(2026, 5, 2), date(2026, 5, 1))
    assert first_excess([backwards], Decimal(1), date(2026, 1, 1)) is None
    forever = InForce("Other", Decimal(40), date(2026, 5, 1), date.max)
    over = first_excess([forever], Decimal(1), date(2026, 1, 1))
    assert over is not None and over.day == date(2026, 5, 1)


def test_reasons_are_matched_whatever_their_capitals() -> None:
    found = of_reason(
        [
            InForce("trade union facility time", Decimal(3), DEC_1),
            InForce("Court duty", Decimal(3), DEC_1),
            InForce(" Trade Union Facility Time", Decimal(4), DEC_1),
        ],
        "Trade union facility time",
    )
    assert [r.hours for r in found] == [Decimal(3), Decimal(4)]


_days = st.integers(min_value=0, max_value=60)
_reductions = st.lists(
    st.builds(
        lambda start, length, hundredths: InForce(
            "Other",
            Decimal(hundredths) / 100,
            date(2026, 1, 1) + timedelta(days=start),
            None if length is None else date(2026, 1, 1) + timedelta(days=start + length),
        ),
        _days,
        st.none() | st.integers(min_value=-1, max_value=30),
        st.integers(min_value=1, max_value=4000),
    ),
    max_size=8,
)


@settings(max_examples=200, derandomize=True)
@given(_reductions, st.integers(min_value=0, max_value=8000), _days, _days)
def test_the_first_excess_is_what_counting_every_day_finds(
    reductions: list[InForce], limit_hundredths: int, start: int, length: int
) -> None:
    """Looking only at the days the total changes finds what adding up every day finds."""
    limit = Decimal(limit_hundredths) / 100
    first = date(2026, 1, 1) + timedelta(days=start)
    last = first + timedelta(days=length)
    expected = None
    day = first
    while day <= last and expected is None:
        total = sum(
            (r.hours for r in reductions if r.start <= day and (r.end is None or day <= r.end)),
            Decimal(0),
        )
        if total > limit:
            expected = (day, total)
        day += timedelta(days=1)
    found = first_excess(reductions, limit, first, last)
    assert (None if found is None else (found.day, found.total)) == expected


def test_reductions_of_54_hours_on_40_are_refused_with_the_totals() -> None:
    others = [InForce("Court duty", Decimal(30), date(2026, 11, 1), None)]
    problems = entry_problems(_entry("24"), Reason("Court duty"), Decimal(40), others)
    assert problems == {
        "hours": "From 1 December 2026 these reductions would total 54 hours, more than the "
        "40 contracted hours"
    }
    # The same 24 hours in October, before the other reduction starts, are fine.
    october = _entry("24", date(2026, 10, 1), date(2026, 10, 31))
    assert entry_problems(october, Reason("Court duty"), Decimal(40), others) == {}


def test_a_reasons_maximum_applies_to_the_total_of_that_reason() -> None:
    union = Reason("Trade union facility time", 50)
    others = [InForce("Trade union facility time", Decimal("11.1"), date(2026, 1, 1), None)]
    problems = entry_problems(
        _entry("11.1", reason="Trade union facility time"), union, Decimal(37), others
    )
    assert problems == {
        "hours": "From 1 December 2026 the Trade union facility time reductions would total "
        "22.2 hours, more than its maximum of 50 % of contracted hours: 18.5 hours"
    }
    alone = entry_problems(_entry("20", reason="Trade union facility time"), union, Decimal(37))
    assert alone == {
        "hours": "Trade union facility time can be at most 50 % of contracted hours: 18.5 hours"
    }
    # Another reason's hours do not count towards this reason's maximum.
    court = [InForce("Court duty", Decimal(15), date(2026, 1, 1), None)]
    assert entry_problems(_entry("18.5"), union, Decimal(37), court) == {}


def test_contracted_hours_cannot_fall_below_the_reductions_in_force() -> None:
    in_force = [
        InForce("Court duty", Decimal(20), date(2026, 1, 1), date(2026, 11, 30)),
        InForce("Other", Decimal(15), DEC_1, None),
        InForce("Other", Decimal(10), date(2027, 1, 1), None),
    ]
    from_day = date(2026, 11, 20)
    assert contracted_hours_problem(Decimal(25), in_force, {}, from_day) is None
    assert contracted_hours_problem(Decimal(24), in_force, {}, from_day) == (
        "From 1 January 2027 their reductions total 25 hours, more than the 24 contracted hours "
        "entered: end or reduce reductions first"
    )
    # Days before the newest figures are history: a reduction that has ended does not count.
    assert contracted_hours_problem(Decimal(19), in_force[:1], {}, DEC_1) is None


def test_cutting_hours_below_a_reasons_maximum_is_refused_too() -> None:
    union = [InForce("trade union facility time", Decimal("18.5"), date(2026, 1, 1), None)]
    maxima = {"Trade union facility time": 50}
    assert contracted_hours_problem(Decimal(37), union, maxima, DEC_1) is None
    assert contracted_hours_problem(Decimal(30), union, maxima, DEC_1) == (
        "From 1 December 2026 their Trade union facility time reductions total 18.5 hours, "
        "more than its maximum of 50 % of 30 contracted hours: 15 hours"
    )
    assert contracted_hours_problem(Decimal("48.01"), [], {}, DEC_1) == (
        "Enter hours more than 0 and at most 48"
    )
