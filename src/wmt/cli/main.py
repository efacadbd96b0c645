"""`wmt`: workload measurement from the command line.

Heavy modules are imported inside each command so that `wmt --help` and quick queries start
fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wmt.cli import allocation, decisions, eligibility, operations
from wmt.cli.options import (
    AsOfOption,
    DbOption,
    FormatOption,
    OutputFormat,
    close_opened,
    log_to_standard_error,
    open_consistent,
    parse_date,
)
from wmt.domain.access import Role
from wmt.domain.hierarchy import Level

if TYPE_CHECKING:
    from wmt.services.listing import Listing

app = typer.Typer(
    help="Measure probation practitioners' workload and capacity.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
points_app = typer.Typer(help="Show or load the points configuration.", no_args_is_help=True)
app.add_typer(points_app, name="points")
users_app = typer.Typer(help="Accounts for the web pages.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.callback()
def _every_command(context: typer.Context) -> None:
    context.call_on_close(close_opened)


class PointsFormat(StrEnum):
    toml = "toml"
    json = "json"


class Scale(StrEnum):
    small = "small"
    national = "national"


_date = parse_date
_store = open_consistent


@app.command("import")
def import_snapshot(
    path: Annotated[
        Path,
        typer.Argument(
            help="An nDelius extract workbook (WMT_PS.xlsx), a folder of case-level CSV/Parquet "
            "files, or a folder of such folders (one per date).",
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Snapshot date, YYYY-MM-DD (default: the workbook's Datestamp or the "
            "folder's snapshot.txt).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import dated snapshots, replacing any earlier import for the same date.

    Exits 0 when every snapshot was imported, 1 when one was refused or failed.
    """
    from wmt.cli.progress import stages
    from wmt.services.importing import import_path

    log_to_standard_error(format="console", level="error")
    on = _date(as_of, "--as-of")
    with stages([f"Importing {path.name}"]) as advance:
        summaries = import_path(_store(db), path, on)
        advance()
    for summary in summaries:
        verb = "Replaced" if summary.replaced else "Imported"
        typer.echo(
            f"{verb} the snapshot of {summary.as_of}: {summary.practitioners:,} workload "
            f"owners, {summary.cases:,} cases."
        )


@app.command()
def capacity(
    level: Annotated[Level, typer.Option("--level", help="Which level to list.")] = Level.NATIONAL,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="Only within this team, PDU or region code (or one practitioner's staff code).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Workload points against available points, as capacity %."""
    from wmt.cli.output import emit
    from wmt.services.capacity import capacity as read_capacity
    from wmt.services.scope import OPERATOR

    report = read_capacity(_store(db), OPERATOR, level.value, unit, _date(as_of, "--as-of"))
    title = f"Capacity by {level.value} on {report.as_of}"
    columns = report.summary_columns if output_format is OutputFormat.table else report.columns
    emit(output_format.value, columns, report.rows, title)


@app.command("snapshots")
def list_snapshots(output_format: FormatOption = OutputFormat.table, db: DbOption = None) -> None:
    """List the stored snapshots."""
    from wmt.cli.output import emit
    from wmt.services.listing import snapshot_rows

    found = snapshot_rows(_store(db))
    emit(output_format.value, found.columns, found.rows, "Snapshots")


@app.command("reasons")
def list_reasons(output_format: FormatOption = OutputFormat.table) -> None:
    """List the reduction reasons, with their allowance, maximum and expiry."""
    from wmt.cli.output import emit
    from wmt.services.listing import reason_rows

    found = reason_rows()
    emit(output_format.value, found.columns, found.rows, "Reduction reasons")


@points_app.command("show")
def points_show(
    output_format: Annotated[PointsFormat, typer.Option("--format")] = PointsFormat.toml,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date the version is in force (default: today).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Print the points configuration in force."""
    from wmt.services.points import show_points

    typer.echo(show_points(_store(db), _date(as_of, "--as-of"), output_format.value), nl=False)


@points_app.command("load")
def points_load(
    file: Annotated[Path, typer.Argument(help="A TOML or JSON file shaped like `points show`.")],
    effective_from: Annotated[str, typer.Option("--effective-from", help="YYYY-MM-DD")],
    db: DbOption = None,
) -> None:
    """Add a version of the points configuration, in force from a date."""
    from wmt.services.points import load_points

    effective = _date(effective_from, "--effective-from")
    assert effective is not None
    version_id, recalculated = load_points(_store(db), file, effective)
    typer.echo(
        f"Loaded points configuration version {version_id}, in force from {effective}; "
        f"recalculated {recalculated} snapshot(s)."
    )


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Argument(help="Folder (or .xlsx file) to write.")],
    scale: Annotated[Scale, typer.Option("--scale")] = Scale.small,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Snapshot date (default: today); with --weeks, the last one.",
            show_default=False,
        ),
    ] = None,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            min=1,
            max=104,
            help="Write this many weekly snapshots, one "
            "folder per date, in which some practitioners drift into overload.",
        ),
    ] = 1,
    ndelius: Annotated[
        bool,
        typer.Option(
            "--ndelius",
            help="Write an nDelius extract workbook (WMT_PS.xlsx "
            "layout) to OUT instead of a case-level folder.",
        ),
    ] = False,
) -> None:
    """Write synthetic data: the same seed and date give the same files."""
    from wmt.cli.progress import stages
    from wmt.demo.generate import write_demo_snapshot

    on = _date(as_of, "--as-of") or date.today()
    with stages([f"Writing {scale.value} demo data"]) as advance:
        if ndelius:
            import tempfile

            from wmt.demo.ndelius_workbook import write_ndelius_workbook

            with tempfile.TemporaryDirectory() as work:
                summary = write_demo_snapshot(Path(work), scale=scale.value, seed=seed, as_of=on)
                write_ndelius_workbook(Path(work), out)
        elif weeks > 1:
            from wmt.demo.series import write_demo_series

            folders = write_demo_series(
                out, scale=scale.value, seed=seed, last_as_of=on, weeks=weeks
            )
            summary = None
        else:
            summary = write_demo_snapshot(out, scale=scale.value, seed=seed, as_of=on)
        advance()
    if summary is None:
        typer.echo(
            f"Wrote {len(folders)} weekly snapshots to {out}, {folders[0].name} to "
            f"{folders[-1].name}; import them all with: wmt import {out}"
        )
        return
    typer.echo(
        f"Wrote {out}: {summary.regions} regions, {summary.pdus} PDUs, "
        f"{summary.teams:,} teams, {summary.practitioners:,} practitioners, "
        f"{summary.cases:,} cases, as of {on}."
    )


@app.command("history")
def show_history(
    level: Annotated[Level, typer.Option("--level", help="Which level the unit is.")],
    unit: Annotated[
        str,
        typer.Option(
            "--unit", help="Team, PDU or region code, `national`, or a practitioner's staff code."
        ),
    ],
    since: Annotated[
        str | None, typer.Option("--from", help="First date, YYYY-MM-DD.", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.", show_default=False)
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Capacity, points, available points and caseload over time."""
    from wmt.cli.output import emit
    from wmt.services.history import history
    from wmt.services.scope import OPERATOR

    since_date, until_date = _date(since, "--from"), _date(until, "--to")
    found = history(_store(db), OPERATOR, level.value, unit, since_date, until_date)
    emit(output_format.value, found.columns, found.rows, f"History of {level.value} {unit}")


@app.command("prune")
def prune_snapshots(
    before: Annotated[
        str | None,
        typer.Option(
            "--before",
            help="Remove snapshots dated before this date, YYYY-MM-DD.",
            show_default=False,
        ),
    ] = None,
    older_than_days: Annotated[
        int | None,
        typer.Option(
            "--older-than-days",
            min=1,
            help="Remove snapshots more than this many days old.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Really remove them; without this, only list what would go."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Remove old snapshots (inputs and results). Lists them; removes only with --yes."""
    from datetime import timedelta

    from wmt.services.history import prune

    cut = _date(before, "--before")
    if older_than_days is not None:
        cut = date.today() - timedelta(days=older_than_days)
    if cut is None:
        raise typer.BadParameter("give --before DATE or --older-than-days N")
    dates = prune(_store(db), cut, confirm=yes)
    if not dates:
        typer.echo(f"No snapshots dated before {cut}.")
        return
    listed = ", ".join(str(d) for d in dates)
    if yes:
        typer.echo(f"Removed {len(dates)} snapshot(s) dated before {cut}: {listed}.")
    else:
        typer.echo(
            f"Would remove {len(dates)} snapshot(s) dated before {cut}: {listed}. "
            "Run again with --yes to remove them."
        )


LevelFilter = Annotated[Level | None, typer.Option("--level", show_default=False)]


@app.command("signals")
def list_signals(
    level: LevelFilter = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Only within this unit (or for this practitioner).", show_default=False
        ),
    ] = None,
    as_of: AsOfOption = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Who is overloaded, for how long, and which teams are out of balance."""
    from wmt.services.signals import signals

    _emit_within(signals, "Signals", level, unit, as_of, output_format, db)


@app.command("quality")
def list_quality(
    level: LevelFilter = None,
    unit: Annotated[str | None, typer.Option("--unit", show_default=False)] = None,
    as_of: AsOfOption = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Data that cannot be trusted as it stands: who holds cases they cannot work, and why."""
    from wmt.services.signals import quality

    _emit_within(quality, "Data quality", level, unit, as_of, output_format, db)


def _emit_within(
    read: Callable[..., Listing[Any]],
    title: str,
    level: Level | None,
    unit: str | None,
    as_of: str | None,
    output_format: OutputFormat,
    db: str | None,
) -> None:
    """Print the signals (or the data-quality findings) within a unit on a date."""
    from wmt.cli.output import emit
    from wmt.services.scope import OPERATOR

    on = _date(as_of, "--as-of")
    found = read(_store(db), OPERATOR, level.value if level else None, unit, on)
    emit(output_format.value, found.columns, found.rows, f"{title} on {found.as_of}")


@users_app.command("demo")
def users_demo(db: DbOption = None) -> None:
    """Add one demo account for each role, on units of the newest snapshot (for trying wmt)."""
    from wmt.demo.accounts import DEMO_PASSWORD, add_demo_accounts

    accounts = add_demo_accounts(_store(db))
    typer.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    for account in accounts:
        typer.echo(
            f"  {account.username:<13} {account.role.value:<14} {account.scope:<12} {account.home}"
        )


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument()],
    role: Annotated[Role, typer.Option("--role")],
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help="Their staff code (practitioner), team, PDU or region code, or `national`.",
        ),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input instead of asking."
        ),
    ] = False,
    oidc: Annotated[
        bool,
        typer.Option(
            "--oidc",
            help="No password: the person signs in only through their organisation (OpenID "
            "Connect), whose username claim must equal USERNAME.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an account with a role and the part of the hierarchy it may see."""
    from wmt.services.accounts import add_user

    password: str | None
    if oidc:
        if password_stdin:
            raise typer.BadParameter(
                "An --oidc account has no password; leave out --password-stdin."
            )
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    add_user(_store(db), username, password, role, scope)
    how = ", signing in through their organisation" if oidc else ""
    typer.echo(f"Added {username} ({role.value}, {scope}{how}).")


app.command("serve")(operations.serve)
app.add_typer(operations.db_app, name="db")
app.add_typer(allocation.allocation_app, name="allocation")
app.add_typer(eligibility.eligibility_app, name="eligibility")
decisions.register(app, allocation.allocation_app)
app.command("backup")(operations.backup)


def main(arguments: Sequence[str] | None = None) -> int:
    """Run one command and give its exit code: errors a person can act on, never a traceback."""
    from wmt.errors import WmtError

    try:
        app(args=arguments, prog_name="wmt")
    except SystemExit as ended:
        return ended.code if isinstance(ended.code, int) else 0 if ended.code is None else 1
    except WmtError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        return 1
    except Exception as error:  # a fault of ours or the database's: say what, not where
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(error, SQLAlchemyError):
            typer.secho(f"Database error: {getattr(error, 'orig', error)}", fg="red", err=True)
            return 1
        raise
    return 0


def run() -> None:
    """Entry point of the `wmt` command."""
    sys.exit(main())
