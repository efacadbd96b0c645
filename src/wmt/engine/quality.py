"""Data-quality findings: cases the figures say someone holds, who cannot really hold them.

Ministers have had to caveat answers because the data held cases allocated to people who had
left, were on long-term sickness, or had no contracted hours. Each finding names the
practitioner or case and says why it matters.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from wmt.domain.points import PointsConfiguration
from wmt.domain.reductions import REDUCTION_REASONS
from wmt.engine.reductions import in_force_on
from wmt.engine.tables import OWNER_KEY, SnapshotTables

FINDING_COLUMNS = ["finding", "staff_code", "team_code", "crn", "detail"]
FULL_ABSENCE_REASONS = [reason.name for reason in REDUCTION_REASONS if reason.is_full_absence]


def _holding(owners: pl.DataFrame) -> pl.DataFrame:
    return owners.filter(pl.col("caseload") > 0)


def _finding(name: str, detail: pl.Expr, crn: pl.Expr | None = None) -> list[pl.Expr]:
    return [
        pl.lit(name).alias("finding"),
        pl.col("staff_code"),
        pl.col("team_code"),
        (crn if crn is not None else pl.lit(None, pl.String)).alias("crn"),
        detail.alias("detail"),
    ]


def quality_findings(
    tables: SnapshotTables, owners: pl.DataFrame, config: PointsConfiguration, on: date
) -> pl.DataFrame:
    """Every finding for one snapshot, computed over whole tables."""
    holding = _holding(owners).join(
        tables.staff.select(*OWNER_KEY, "leave_date"), on=OWNER_KEY, how="left"
    )
    left = holding.filter(pl.col("leave_date") < on).select(
        _finding(
            "cases held after leaving",
            pl.format(
                "left on {} but still holds {} cases; they need reallocating",
                pl.col("leave_date"),
                pl.col("caseload"),
            ),
        )
    )
    absent = (
        tables.reductions.filter(in_force_on(on) & pl.col("reason").is_in(FULL_ABSENCE_REASONS))
        .group_by(OWNER_KEY)
        .agg(pl.col("reason").first())
        .join(holding, on=OWNER_KEY)
        .select(
            _finding(
                "cases held during a full absence",
                pl.format(
                    "holds {} cases while on {} (a 100 % reduction): nobody is working them",
                    pl.col("caseload"),
                    pl.col("reason").str.to_lowercase(),
                ),
            )
        )
    )
    no_hours = holding.filter(pl.col("contracted_hours_centi") == 0).select(
        _finding(
            "cases held with no contracted hours",
            pl.format(
                "holds {} cases with 0 contracted hours, so has no available points",
                pl.col("caseload"),
            ),
        )
    )
    no_grade = holding.filter(pl.col("grade") == "none").select(
        _finding(
            "cases held with no supported grade",
            pl.format(
                "holds {} cases but has no supported grade, so has no available points",
                pl.col("caseload"),
            ),
        )
    )
    unallocated = (
        tables.cases.filter(pl.col("staff_code").is_null())
        .group_by("team_code")
        .agg(pl.len().alias("cases"))
        .sort("team_code")
        .with_columns(pl.lit(None, pl.String).alias("staff_code"))
        .select(
            _finding(
                "unallocated cases",
                pl.format("{} cases in this team are not allocated to anyone", pl.col("cases")),
            )
        )
    )
    known_codes = list(config.contact_points)
    unknown_codes = tables.contacts.filter(~pl.col("contact_type_code").is_in(known_codes)).select(
        _finding(
            "unknown contact code",
            pl.format(
                "contact {} has type {}, which is not in the points configuration; it scored 0",
                pl.col("contact_id"),
                pl.col("contact_type_code"),
            ),
            crn=pl.col("crn"),
        )
    )
    return pl.concat([left, absent, no_hours, no_grade, unallocated, unknown_codes])
