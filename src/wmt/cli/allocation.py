"""`wmt allocation …`: the cases waiting for a practitioner, and who could take each."""

from __future__ import annotations

from typing import Annotated

import typer

from wmt.cli.options import (
    AsOfOption,
    DbOption,
    FormatOption,
    OutputFormat,
    open_consistent,
    parse_date,
)
from wmt.domain.hierarchy import NATIONAL_CODE
from wmt.errors import WmtError

allocation_app = typer.Typer(help="Allocate new cases to practitioners.", no_args_is_help=True)

# The names scripts and checks read (allocation.md, "Command line").
QUEUE_COLUMNS = (
    "crn",
    "team_code",
    "case_type",
    "tier",
    "rosh",
    "sentence_date",
    "waiting_days",
    "points",
    "previous_staff_code",
)
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
    from wmt.services.allocation_queue import queue_of_unit
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
