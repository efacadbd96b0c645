"""`wmt allocation …`: the cases waiting for a practitioner."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

import typer

from wmt.cli.options import DbOption, open_consistent, parse_date
from wmt.domain.hierarchy import NATIONAL_CODE

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


class QueueFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@allocation_app.command("queue")
def show_queue(
    unit: Annotated[
        str,
        typer.Option("--unit", help="A team, PDU or region code, or national."),
    ] = NATIONAL_CODE,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Snapshot date, YYYY-MM-DD (default: the latest).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        QueueFormat, typer.Option("--format", help="How to print the result.")
    ] = QueueFormat.table,
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
        counts = [asdict(count) for count in found.counts]
        emit(output_format.value, COUNT_COLUMNS, counts, f"{title} (counts only)")
        return
    rows: list[dict[str, Any]] = [asdict(case) for case in found.cases]
    emit(output_format.value, QUEUE_COLUMNS, rows, title)
