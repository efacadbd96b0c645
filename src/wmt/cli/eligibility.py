"""`wmt eligibility …`: who may be given which case, and a new version of those rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wmt.cli.options import DbOption, FormatOption, OutputFormat, open_consistent, parse_date

eligibility_app = typer.Typer(
    help="Show or change which grade may be given which case.", no_args_is_help=True
)


@eligibility_app.command("show")
def show_rules(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date the rules are in force, YYYY-MM-DD (default: today).",
            show_default=False,
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Print the rules in force: one row per grade (JSON: a file `eligibility set` loads)."""
    import json

    from wmt.cli.output import emit
    from wmt.services.eligibility import (
        GRADE_COLUMNS,
        grade_rows,
        rules_document,
        version_in_force,
    )
    from wmt.services.scope import OPERATOR

    version = version_in_force(open_consistent(db), OPERATOR, parse_date(as_of, "--as-of"))
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(rules_document(version), indent=2))
        return
    which = "the reference defaults" if version.id is None else f"version {version.id}"
    title = f"Eligibility rules in force from {version.effective_from} ({which})"
    emit(output_format.value, GRADE_COLUMNS, grade_rows(version.rules), title)


@eligibility_app.command("set")
def set_rules(
    file: Annotated[
        Path, typer.Argument(help="A JSON file shaped like `eligibility show --format json`.")
    ],
    effective_from: Annotated[
        str, typer.Option("--from", help="The date the rules come into force, YYYY-MM-DD.")
    ],
    db: DbOption = None,
) -> None:
    """Add a version of the rules, in force from a date (replacing one with the same date)."""
    from wmt.services.eligibility import add_rules_version, read_rules_file
    from wmt.services.scope import OPERATOR

    effective = parse_date(effective_from, "--from")
    assert effective is not None  # the option is required
    document = read_rules_file(file)
    version_id = add_rules_version(open_consistent(db), OPERATOR, document, effective, str(file))
    typer.echo(f"Saved version {version_id} of the eligibility rules, in force from {effective}.")
