"""`wmt allocate` and `wmt allocation decisions`: recording who takes a case, as the pages do,
and listing what was decided."""

from __future__ import annotations

from typing import Annotated

import typer

from wmt.cli.options import DbOption, FormatOption, OutputFormat, open_consistent
from wmt.domain.allocation_rules import AllocationReason
from wmt.errors import WmtError

REASONS = "; ".join(AllocationReason)


def allocate_case(
    crn: Annotated[str, typer.Argument(help="The CRN of the case.", show_default=False)],
    staff_code: Annotated[
        str, typer.Argument(help="The practitioner to give it to.", show_default=False)
    ],
    by: Annotated[
        str,
        typer.Option("--by", help="The account deciding, which must be allowed to allocate there."),
    ],
    team: Annotated[
        str | None,
        typer.Option("--team", help="The practitioner's team, if they are in several."),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help=f"Why (needed to reallocate): {REASONS}.",
            show_default="Allocate to a responsible officer, for a first allocation",
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Allocation notes.")] = "",
    sensitive: Annotated[
        bool, typer.Option("--sensitive", help="Mark the notes sensitive.")
    ] = False,
    override: Annotated[
        str,
        typer.Option(
            "--override", help="Why the practitioner should have it although the rules say not."
        ),
    ] = "",
    db: DbOption = None,
) -> None:
    """Give a case to a practitioner on the newest snapshot, as that account would on the
    pages: the case leaves the queue and the figures change at once."""
    from wmt.services.accounts import viewer_for
    from wmt.services.allocating import AllocationRequest, allocate
    from wmt.services.saving import ChangeRefused

    store = open_consistent(db)
    viewer = viewer_for(store, by)
    if viewer is None:
        raise WmtError(f"There is no account {by!r} in use: add it with `wmt users add`.")
    request = AllocationRequest(
        crn=crn,
        staff_code=staff_code,
        team_code=team,
        reason=reason,
        notes=note,
        sensitive=sensitive,
        override_justification=override,
    )
    try:
        done = allocate(store, viewer, request)
    except ChangeRefused as refused:
        raise WmtError(str(refused)) from None
    moved = f" from {done.from_staff_code}" if done.from_staff_code else ""
    typer.echo(
        f"{done.kind.value.capitalize()} recorded: {done.crn}{moved} to {done.name} "
        f"({done.staff_code}, {done.team_code}) on the snapshot of {done.as_of}. Their capacity "
        f"goes from {done.capacity_before} % to {done.capacity_after} %."
    )


def show_decisions(
    unit: Annotated[
        str, typer.Option("--unit", help="A team, PDU or region code, or national.")
    ] = "national",
    days: Annotated[int, typer.Option("--days", help="How many days back.", min=1)] = 30,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """The allocation decisions about a unit's cases, newest first, each pending, confirmed
    or contradicted by the imports since."""
    from wmt.cli.output import emit
    from wmt.services.allocation_decisions import decisions_of_unit
    from wmt.services.scope import OPERATOR

    found = decisions_of_unit(open_consistent(db), OPERATOR, unit, days=days)
    title = f"Allocation decisions in {unit} in the last {days} days"
    emit(output_format.value, found.columns, found.rows, title)


def register(app: typer.Typer, allocation_app: typer.Typer) -> None:
    """Add the commands: `wmt allocate` and `wmt allocation decisions`."""
    app.command("allocate")(allocate_case)
    allocation_app.command("decisions")(show_decisions)
