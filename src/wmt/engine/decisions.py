"""Allocation decisions laid over an import: the one rule, over whole tables.

A manager's decision (this case to that practitioner) reaches the case management system
later than wmt's figures need it, so every import is read with the decisions still pending on
its date, the newest for each case:

- the import shows the case with the decision's practitioner: confirmed, nothing to lay;
- the case waits unallocated, or is still with the practitioner it was moved from: the
  decision is laid over (its practitioner, team and date, and which decision it was);
- the import shows it with someone else: contradicted; the import wins and a data-quality
  finding says so;
- the case is not in the import: the decision stays pending and nothing is laid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

import polars as pl

from wmt.engine.quality import FINDING_COLUMNS
from wmt.engine.tables import SnapshotTables

PENDING_DECISIONS_SCHEMA = pl.Schema(
    {
        "id": pl.Int64,
        "crn": pl.String,
        "to_staff_code": pl.String,
        "to_team_code": pl.String,
        "from_staff_code": pl.String,  # null: a first allocation
        "from_team_code": pl.String,
        "as_of": pl.Date,  # the snapshot date it was decided on
    }
)
OUTCOMES_SCHEMA = pl.Schema({"id": pl.Int64, "outcome": pl.String})
CONTRADICTED_FINDING = "allocation contradicted"


class Outcome(StrEnum):
    """What one import made of a pending decision."""

    CONFIRMED = "confirmed"
    LAID_OVER = "laid over"
    CONTRADICTED = "contradicted"
    NOT_IN_IMPORT = "not in import"


@dataclass(frozen=True)
class WithDecisions:
    """The import's tables as the engine should use them, what became of each decision
    considered (`id`, `outcome`) and the findings about those the import contradicts."""

    tables: SnapshotTables
    outcomes: pl.DataFrame
    findings: pl.DataFrame


def newest_pending(decisions: pl.DataFrame, on: date) -> pl.DataFrame:
    """The newest decision for each case made on or before the date (a later one was made on
    figures the import cannot yet reflect)."""
    return (
        decisions.select(list(PENDING_DECISIONS_SCHEMA))
        .cast(PENDING_DECISIONS_SCHEMA)
        .filter(pl.col("as_of") <= on)
        .sort("id", descending=True)
        .unique("crn", keep="first", maintain_order=True)
    )


def _same(staff: str, team: str, other_staff: str, other_team: str) -> pl.Expr:
    return (
        (pl.col(staff) == pl.col(other_staff)) & (pl.col(team) == pl.col(other_team))
    ).fill_null(False)


def _outcomes(newest: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """Each decision beside the import's holder of its case, with what the import makes of it."""
    held = cases.select(
        "crn",
        held_staff_code="staff_code",
        held_team_code="team_code",
        in_import=pl.lit(True),
    )
    return newest.join(held, on="crn", how="left").with_columns(
        outcome=pl.when(pl.col("in_import").is_null())
        .then(pl.lit(Outcome.NOT_IN_IMPORT.value))
        .when(_same("held_staff_code", "held_team_code", "to_staff_code", "to_team_code"))
        .then(pl.lit(Outcome.CONFIRMED.value))
        .when(
            pl.col("held_staff_code").is_null()
            | _same("held_staff_code", "held_team_code", "from_staff_code", "from_team_code")
        )
        .then(pl.lit(Outcome.LAID_OVER.value))
        .otherwise(pl.lit(Outcome.CONTRADICTED.value))
    )


def _laid_cases(cases: pl.DataFrame, laid: pl.DataFrame) -> pl.DataFrame:
    decided = laid.select("crn", "to_staff_code", "to_team_code", "as_of", decision_id="id")
    columns = [column for column in cases.columns if column != "allocation_decision_id"]
    is_laid = pl.col("decision_id").is_not_null()
    return (
        cases.select(columns)
        .join(decided, on="crn", how="left")
        .with_columns(
            staff_code=pl.when(is_laid).then("to_staff_code").otherwise("staff_code"),
            team_code=pl.when(is_laid).then("to_team_code").otherwise("team_code"),
            allocated_date=pl.when(is_laid).then("as_of").otherwise("allocated_date"),
            allocation_decision_id=pl.col("decision_id"),
        )
        .select(*columns, "allocation_decision_id")
    )


def _laid_contacts(contacts: pl.DataFrame, laid: pl.DataFrame) -> pl.DataFrame:
    """Work done on a case counts against whoever holds it, so its holder moves with it."""
    decided = laid.select("crn", "to_staff_code", "to_team_code")
    is_laid = pl.col("to_staff_code").is_not_null()
    return (
        contacts.join(decided, on="crn", how="left")
        .with_columns(
            holder_staff_code=pl.when(is_laid).then("to_staff_code").otherwise("holder_staff_code"),
            holder_team_code=pl.when(is_laid).then("to_team_code").otherwise("holder_team_code"),
        )
        .select(contacts.columns)
    )


def _contradicted(judged: pl.DataFrame) -> pl.DataFrame:
    return (
        judged.filter(pl.col("outcome") == Outcome.CONTRADICTED.value)
        .sort("crn")
        .select(
            finding=pl.lit(CONTRADICTED_FINDING),
            staff_code="held_staff_code",
            team_code="held_team_code",
            crn="crn",
            detail=pl.format(
                "allocated in wmt to {} ({}) on {}, but the import shows {} ({}) holding the "
                "case; the import's holder is used: allocate it again or correct the case "
                "management system",
                "to_staff_code",
                "to_team_code",
                pl.col("as_of").dt.to_string("%Y-%m-%d"),
                "held_staff_code",
                "held_team_code",
            ),
        )
        .select(FINDING_COLUMNS)
    )


def with_decisions(tables: SnapshotTables, decisions: pl.DataFrame, on: date) -> WithDecisions:
    """Lay the pending decisions over an import of the date by the rule above.

    `decisions` holds the pending decisions (PENDING_DECISIONS_SCHEMA); the cases gain
    `allocation_decision_id` (null where the import's holder stands).
    """
    judged = _outcomes(newest_pending(decisions, on), tables.cases)
    laid = judged.filter(pl.col("outcome") == Outcome.LAID_OVER.value)
    overlaid = replace(
        tables,
        cases=_laid_cases(tables.cases, laid),
        contacts=_laid_contacts(tables.contacts, laid),
    )
    outcomes = judged.select("id", "outcome").sort("id").cast(OUTCOMES_SCHEMA)
    return WithDecisions(overlaid, outcomes, _contradicted(judged))
