"""`wmt allocation …`: the cases waiting for a practitioner, who could take each, a plan for a
unit's queue, a rebalance of its caseloads, and what if someone leaves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wmt.cli.options import (
    AsOfOption,
    DbOption,
    FormatOption,
    OutputFormat,
    open_consistent,
    parse_date,
)
from wmt.cli.output import print_table
from wmt.domain.hierarchy import NATIONAL_CODE
from wmt.errors import WmtError
from wmt.exports import cell, json_value

if TYPE_CHECKING:
    from wmt.planning.plan import Plan
    from wmt.planning.rebalance import Rebalance
    from wmt.services.allocation_what_if import LeavingPlan

allocation_app = typer.Typer(help="Allocate new cases to practitioners.", no_args_is_help=True)

# What an nDelius extract gives instead: counts on holding positions.
COUNT_COLUMNS = ("case_type", "tier", "cases")


@allocation_app.command("queue")
def show_queue(
    unit: Annotated[
        str,
        typer.Option("--unit", help="A team, PDU or region code, or national."),
    ] = NATIONAL_CODE,
    as_of: AsOfOption = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """One row per case waiting to be allocated, longest waiting first (cases without a tier
    are not queued)."""
    from wmt.cli.output import emit
    from wmt.services.allocation_queue import QUEUE_COLUMNS, queue_of_unit
    from wmt.services.scope import OPERATOR

    found = queue_of_unit(open_consistent(db), OPERATOR, unit, parse_date(as_of, "--as-of"))
    title = f"Cases waiting for allocation in {unit} on {found.as_of}"
    if found.counted_only:
        emit(output_format.value, COUNT_COLUMNS, found.counts, f"{title} (counts only)")
        return
    emit(output_format.value, QUEUE_COLUMNS, found.cases, title)


@allocation_app.command("candidates")
def show_candidates(
    crn: Annotated[
        str | None,
        typer.Argument(help="The CRN of a case in the queue.", show_default=False),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="For a case not in the queue: a team or PDU code."),
    ] = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="For a case not in the queue: its tier.")
    ] = None,
    case_type: Annotated[
        str | None,
        typer.Option(
            "--case-type", help="For a case not in the queue: community, custody or licence."
        ),
    ] = None,
    as_of: AsOfOption = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Every practitioner who could take a case, with their capacity before and after: those
    who may first, then whoever held the person before, then the lowest capacity after."""
    from wmt.cli.output import emit
    from wmt.services.allocation_candidates import (
        CANDIDATE_COLUMNS,
        candidates_for_case,
        candidates_for_kind,
    )
    from wmt.services.scope import OPERATOR

    on = parse_date(as_of, "--as-of")
    store = open_consistent(db)
    if crn is not None and unit is None and tier is None and case_type is None:
        found = candidates_for_case(store, OPERATOR, crn, on)
        about = f"case {crn}"
    elif crn is None and unit is not None and tier is not None and case_type is not None:
        found = candidates_for_kind(store, OPERATOR, unit, tier, case_type, on)
        about = f"a {case_type} case of tier {tier} in {unit}"
    else:
        raise WmtError("Give a CRN, or --unit, --tier and --case-type for a case not in the queue.")
    title = f"Who could take {about} ({found.case.points} points) on {found.as_of}"
    emit(output_format.value, CANDIDATE_COLUMNS, found.candidates, title)


# The JSON objects of `suggest` and `rebalance` (allocation.md, "Command line").
PLACEMENT_COLUMNS = ("crn", "staff_code", "team_code", "capacity_before", "capacity_after")
UNPLACED_COLUMNS = ("crn", "points", "reason")
MOVE_COLUMNS = ("crn", "from_staff_code", "to_staff_code", "points")
# What `what-if-leave` adds: each of the team, today and after.
TEAM_CHANGE_COLUMNS = (
    "staff_code",
    "grade",
    "leaving",
    "caseload_before",
    "caseload_after",
    "capacity_before",
    "capacity_after",
)


class PlanFormat(StrEnum):
    table = "table"
    json = "json"


UnitOption = Annotated[str, typer.Option("--unit", help="A team or PDU code.", show_default=False)]
PlanFormatOption = Annotated[PlanFormat, typer.Option("--format", help="How to print the result.")]
TimeLimitOption = Annotated[
    float,
    typer.Option("--time-limit", min=0.1, max=600, help="Seconds the optimiser may take."),
]
CeilingOption = Annotated[
    str,
    typer.Option("--ceiling", help="No one is given a case that takes them past this %."),
]
AllowOverOption = Annotated[
    bool,
    typer.Option("--allow-over", help="Place every case someone may take, past the ceiling."),
]


def parse_percent(text: str, option: str) -> Decimal:
    """A percentage typed on the command line, such as 110 or 97.5."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.1")):
        raise typer.BadParameter(
            f"{text!r} is not a percentage; expected a number above 0 such as 110 or 97.5",
            param_hint=option,
        )
    return value


@allocation_app.command("suggest")
def suggest_plan(
    unit: UnitOption,
    ceiling: CeilingOption = "110",
    allow_over: AllowOverOption = False,
    time_limit: TimeLimitOption = 10.0,
    as_of: AsOfOption = None,
    output_format: PlanFormatOption = PlanFormat.table,
    db: DbOption = None,
) -> None:
    """A plan for the unit's queue: each case to one practitioner who may take it, keeping the
    largest capacity after as low as it can be; cases no one can take under the ceiling are
    listed as unplaced."""
    from wmt.services.allocation_plans import suggest
    from wmt.services.scope import OPERATOR

    most = None if allow_over else parse_percent(ceiling, "--ceiling")
    on = parse_date(as_of, "--as-of")
    found = suggest(open_consistent(db), OPERATOR, unit, most, time_limit, on)
    if output_format is PlanFormat.json:
        print(json.dumps(plan_object(found.plan), indent=2))
        return
    over = "going over allowed" if most is None else f"ceiling {most} %"
    _print_plan(found.plan, f"A plan for the queue of {unit} on {found.as_of} ({over})")


@allocation_app.command("rebalance")
def suggest_rebalance(
    unit: UnitOption,
    target: Annotated[
        str, typer.Option("--target", help="Bring everyone to this % or under.")
    ] = "110",
    max_moves: Annotated[
        int | None,
        typer.Option(
            "--max-moves", min=0, help="Move at most this many cases.", show_default=False
        ),
    ] = None,
    time_limit: TimeLimitOption = 10.0,
    as_of: AsOfOption = None,
    output_format: PlanFormatOption = PlanFormat.table,
    db: DbOption = None,
) -> None:
    """The fewest moves of the unit's cases that bring everyone to the target (or, where that
    cannot be done, the largest capacity as low as it can be). Cases given in the last 28 days
    stay where they are."""
    from wmt.services.allocation_plans import rebalance_unit
    from wmt.services.scope import OPERATOR

    level = parse_percent(target, "--target")
    on = parse_date(as_of, "--as-of")
    found = rebalance_unit(open_consistent(db), OPERATOR, unit, level, max_moves, time_limit, on)
    moves = found.rebalance
    if output_format is PlanFormat.json:
        print(json.dumps(rebalance_object(moves), indent=2))
        return
    title = f"Moves to bring {unit} to {level} % on {found.as_of}"
    print_table((*MOVE_COLUMNS, "from_capacity_after", "to_capacity_after"), moves.moves, title)
    print(
        f"Largest capacity: {_percent(moves.max_capacity_before)} before, "
        f"{_percent(moves.max_capacity_after)} after ({moves.status})."
    )


@allocation_app.command("what-if-leave")
def what_if_leave(
    staff_code: Annotated[str, typer.Argument(help="The practitioner's staff code.")],
    team: Annotated[str, typer.Option("--team", help="Their team's code.", show_default=False)],
    from_date: Annotated[
        str, typer.Option("--from", help="The day they leave, YYYY-MM-DD.", show_default=False)
    ],
    ceiling: CeilingOption = "110",
    allow_over: AllowOverOption = False,
    time_limit: TimeLimitOption = 10.0,
    output_format: PlanFormatOption = PlanFormat.table,
    db: DbOption = None,
) -> None:
    """What if a practitioner leaves: their cases planned out across the rest of their team,
    and each of the team's capacity today and after."""
    from wmt.services.allocation_what_if import what_if_leaves
    from wmt.services.scope import OPERATOR

    leaving = parse_date(from_date, "--from")
    assert leaving is not None  # the option is required
    most = None if allow_over else parse_percent(ceiling, "--ceiling")
    found = what_if_leaves(
        open_consistent(db), OPERATOR, staff_code, team, leaving, ceiling=most,
        time_limit=time_limit,
    )  # fmt: skip
    if output_format is PlanFormat.json:
        print(json.dumps(leaving_object(found), indent=2))
        return
    title = f"Team {team} on {found.as_of}, and once {staff_code} leaves on {leaving}"
    print_table(TEAM_CHANGE_COLUMNS, found.team, title)
    _print_plan(found.plan, f"Where {staff_code}'s cases would go")


def _records(columns: Sequence[str], records: Sequence[object]) -> list[dict[str, Any]]:
    return [
        {column: json_value(column, cell(row, column)) for column in columns} for row in records
    ]


def plan_object(plan: Plan) -> dict[str, Any]:
    """A plan as `wmt allocation suggest --format json` writes it."""
    return {
        "allocations": _records(PLACEMENT_COLUMNS, plan.allocations),
        "unplaced": _records(UNPLACED_COLUMNS, plan.unplaced),
        "max_capacity_after": json_value("max_capacity_after", plan.max_capacity_after),
        "lower_bound": json_value("lower_bound", plan.lower_bound),
        "status": plan.status.value,
    }


def rebalance_object(moves: Rebalance) -> dict[str, Any]:
    """A rebalance as `wmt allocation rebalance --format json` writes it."""
    return {
        "moves": _records(MOVE_COLUMNS, moves.moves),
        "max_capacity_before": json_value("max_capacity_before", moves.max_capacity_before),
        "max_capacity_after": json_value("max_capacity_after", moves.max_capacity_after),
        "status": moves.status.value,
    }


def leaving_object(found: LeavingPlan) -> dict[str, Any]:
    """What if someone leaves, as `wmt allocation what-if-leave --format json` writes it."""
    return {
        "as_of": found.as_of.isoformat(),
        "staff_code": found.staff_code,
        "team_code": found.team_code,
        "from_date": found.from_date.isoformat(),
        "team": _records(TEAM_CHANGE_COLUMNS, found.team),
        **plan_object(found.plan),
    }


def _percent(value: Decimal | None) -> str:
    return "none" if value is None else f"{value} %"


def _print_plan(plan: Plan, title: str) -> None:
    print_table((*PLACEMENT_COLUMNS, "points"), plan.allocations, title)
    if plan.unplaced:
        print_table(UNPLACED_COLUMNS, plan.unplaced, "Unplaced")
        print(
            f"The unplaced points are the work of {plan.shortfall_officers} full-time "
            "probation officers."
        )
    print(
        f"Largest capacity after: {_percent(plan.max_capacity_after)} (at least "
        f"{_percent(plan.lower_bound)} in any plan placing as much; {plan.status})."
    )
