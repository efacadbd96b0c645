"""The shape of one snapshot's input tables, as every reader must deliver them.

Hours are carried as whole hundredths of an hour (`*_centi`) so the arithmetic is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from wmt.domain.cases import ALL_TIERS

OWNER_KEY = ["staff_code", "team_code"]
# Each owner's counts and points from their cases, reports and contacts (0 when they have none).
OWNER_TOTALS = [
    "caseload",
    "community_cases",
    "custody_cases",
    "licence_cases",
    "t2a_cases",
    "tier_scored_cases",  # every case but T2A ones: scored from the tier table
    "case_points_centi",
    "t2a_points_centi",
    "report_points",
    "contact_points",
]

UNITS_SCHEMA = pl.Schema(
    {
        "team_code": pl.String,
        "team_name": pl.String,
        "pdu_code": pl.String,
        "pdu_name": pl.String,
        "region_code": pl.String,
        "region_name": pl.String,
    }
)
STAFF_SCHEMA = pl.Schema(
    {
        "staff_code": pl.String,
        "team_code": pl.String,
        "grade": pl.String,
        "forename": pl.String,
        "surname": pl.String,
        "contracted_hours_centi": pl.Int64,  # null: the grade's default
        "start_date": pl.Date,
        "leave_date": pl.Date,
    }
)
CASES_SCHEMA = pl.Schema(
    {
        "crn": pl.String,
        "staff_code": pl.String,  # null: unallocated
        "team_code": pl.String,
        "case_type": pl.String,
        "tier": pl.String,
        "t2a": pl.Boolean,
        "warrant": pl.Boolean,
        "unpaid_work": pl.Boolean,
        "overdue_termination": pl.Boolean,
        "priority": pl.Boolean,
        "suspended_sentence": pl.Boolean,
        "suspended_lifer": pl.Boolean,
        "allocated_date": pl.Date,
        "sentence_date": pl.Date,  # sentence or release: when the case began waiting
        "previous_staff_code": pl.String,  # who last managed the person (null: nobody known)
        "rosh": pl.String,  # risk of serious harm (null: not known)
        "initial_appointment_date": pl.Date,
    }
)
REPORTS_SCHEMA = pl.Schema(
    {
        "staff_code": pl.String,
        "team_code": pl.String,
        "report_type": pl.String,
        "completed_date": pl.Date,
        "crn": pl.String,
    }
)
CONTACTS_SCHEMA = pl.Schema(
    {
        "contact_id": pl.String,
        "crn": pl.String,
        "contact_date": pl.Date,
        "contact_type_code": pl.String,
        "staff_code": pl.String,  # who did the work
        "team_code": pl.String,
        "holder_staff_code": pl.String,  # who holds the case (null: nobody we know)
        "holder_team_code": pl.String,
    }
)
REDUCTIONS_SCHEMA = pl.Schema(
    {
        "staff_code": pl.String,
        "team_code": pl.String,
        "reason": pl.String,
        "hours_centi": pl.Int64,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "deleted": pl.Boolean,
        "notes": pl.String,
    }
)

# Breakdown of each owner's caseload: one row per (case type, T2A) they hold, with a count
# column per tier (as the nDelius extract lays it out).
CASELOAD_KEY = [*OWNER_KEY, "case_type", "t2a"]
TIER_COLUMNS = {tier: f"tier_{tier.lower()}" for tier in ALL_TIERS}
CASELOAD_SCHEMA = pl.Schema(
    {
        "staff_code": pl.String,
        "team_code": pl.String,
        "case_type": pl.String,
        "t2a": pl.Boolean,
        **{column: pl.Int64 for column in TIER_COLUMNS.values()},
    }
)

SCHEMAS: dict[str, pl.Schema] = {
    "units": UNITS_SCHEMA,
    "staff": STAFF_SCHEMA,
    "cases": CASES_SCHEMA,
    "reports": REPORTS_SCHEMA,
    "contacts": CONTACTS_SCHEMA,
    "reductions": REDUCTIONS_SCHEMA,
}


@dataclass(frozen=True)
class SnapshotTables:
    """Everything the engine needs about one night's data."""

    units: pl.DataFrame
    staff: pl.DataFrame
    cases: pl.DataFrame
    reports: pl.DataFrame
    contacts: pl.DataFrame
    reductions: pl.DataFrame

    def __post_init__(self) -> None:
        for name, schema in SCHEMAS.items():
            frame: pl.DataFrame = getattr(self, name)
            missing = [column for column in schema if column not in frame.columns]
            if missing:
                raise ValueError(f"{name} table lacks columns {missing}")

    @classmethod
    def from_frames(cls, **frames: pl.DataFrame) -> SnapshotTables:
        """Build from frames that may carry only some optional columns: the rest are null."""
        shaped = {name: conform(frames.get(name), schema) for name, schema in SCHEMAS.items()}
        return cls(**shaped)


def conform(frame: pl.DataFrame | None, schema: pl.Schema) -> pl.DataFrame:
    """Select the schema's columns in order and types, adding absent ones as nulls."""
    if frame is None:
        return pl.DataFrame(schema=schema)
    columns = []
    for name, dtype in schema.items():
        column = (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype)
        if dtype == pl.Boolean:  # an absent flag is a flag not set
            column = column.fill_null(False)
        columns.append(column.alias(name))
    return frame.select(columns)
