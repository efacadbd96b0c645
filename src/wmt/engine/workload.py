"""Workload per owner: the calculation of wmt-model.md, set-based over a whole snapshot.

Points that can be fractional (weighted cases) are carried in hundredths of a point and hours
in hundredths of an hour, so every step is exact integer arithmetic and rounding happens once,
where the model says it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from wmt.domain.cases import CaseType
from wmt.domain.points import WEIGHTED_FLAGS, PointsConfiguration
from wmt.engine import points_tables
from wmt.engine.arithmetic import available_points, capacity_tenths, round_centi_half_up
from wmt.engine.quality import quality_findings
from wmt.engine.reductions import in_force_on
from wmt.engine.rollup import roll_up
from wmt.engine.tables import (
    CASELOAD_KEY,
    OWNER_KEY,
    OWNER_TOTALS,
    TIER_COLUMNS,
    SnapshotTables,
)

REPORT_WINDOW_DAYS = 30
CONTACT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class WorkloadResults:
    """The engine's answer for one snapshot date."""

    owners: pl.DataFrame  # one row per workload owner
    caseload: pl.DataFrame  # owner x case type x tier x T2A -> cases
    units: pl.DataFrame  # roll-ups: team, PDU, region, national
    findings: pl.DataFrame  # data-quality findings (engine/quality.py)


def weighted_case_points(cases: pl.LazyFrame, config: PointsConfiguration) -> pl.LazyFrame:
    """Each allocated case with its points in hundredths, after inactive-case weighting."""
    weighting = pl.min_horizontal(
        *(
            pl.when(pl.col(flag)).then(config.inactive_weighting[flag]).otherwise(100)
            for flag in WEIGHTED_FLAGS
        )
    )
    return (
        cases.filter(pl.col("staff_code").is_not_null())
        .join(
            points_tables.case_points_table(config).lazy(),
            on=["case_type", "tier", "t2a"],
            how="left",
        )
        .with_columns(points_centi=pl.col("points").fill_null(0) * weighting)
    )


def case_totals(scored_cases: pl.LazyFrame) -> pl.LazyFrame:
    """Caseload counts and case points per owner."""
    is_type = {ct: pl.col("case_type") == ct.value for ct in CaseType}
    return scored_cases.group_by(OWNER_KEY).agg(
        caseload=pl.len(),
        community_cases=is_type[CaseType.COMMUNITY].sum(),
        custody_cases=is_type[CaseType.CUSTODY].sum(),
        licence_cases=is_type[CaseType.LICENCE].sum(),
        t2a_cases=pl.col("t2a").sum(),
        tier_scored_cases=(~pl.col("t2a")).sum(),
        case_points_centi=pl.col("points_centi").filter(~pl.col("t2a")).sum(),
        t2a_points_centi=pl.col("points_centi").filter(pl.col("t2a")).sum(),
    )


def report_totals(reports: pl.LazyFrame, config: PointsConfiguration, on: date) -> pl.LazyFrame:
    """Points for reports completed in the 30 days up to and including the date."""
    window_start = on - timedelta(days=REPORT_WINDOW_DAYS)
    return (
        reports.filter((pl.col("completed_date") > window_start) & (pl.col("completed_date") <= on))
        .join(points_tables.report_points_table(config).lazy(), on="report_type", how="left")
        .group_by(OWNER_KEY)
        .agg(report_points=pl.col("points").fill_null(0).sum())
    )


def contact_totals(contacts: pl.LazyFrame, config: PointsConfiguration, on: date) -> pl.LazyFrame:
    """+points to whoever did a support contact, -points to the case's holder, for 7 days."""
    in_force = (
        contacts.filter(
            (pl.col("contact_date") <= on)
            & (pl.col("contact_date") > on - timedelta(days=CONTACT_WINDOW_DAYS))
        )
        # Work on one's own case moves nothing.
        .filter(
            ~(
                (pl.col("staff_code") == pl.col("holder_staff_code"))
                & (pl.col("team_code") == pl.col("holder_team_code"))
            ).fill_null(False)
        )
        .join(points_tables.contact_points_table(config).lazy(), on="contact_type_code", how="left")
        .with_columns(pl.col("points").fill_null(0))
    )
    credits = in_force.select(*OWNER_KEY, moved=pl.col("points"))
    debits = in_force.filter(pl.col("holder_staff_code").is_not_null()).select(
        staff_code=pl.col("holder_staff_code"),
        team_code=pl.col("holder_team_code"),
        moved=-pl.col("points"),
    )
    return (
        pl.concat([credits, debits]).group_by(OWNER_KEY).agg(contact_points=pl.col("moved").sum())
    )


def reduction_totals(reductions: pl.LazyFrame, on: date) -> pl.LazyFrame:
    """Hours of reductions active on the date (start <= date <= end, or no end)."""
    return (
        reductions.filter(in_force_on(on))
        .group_by(OWNER_KEY)
        .agg(reduction_hours_centi=pl.col("hours_centi").sum())
    )


def total_points_centi() -> pl.Expr:
    """An owner's case, T2A, report and contact points in hundredths, before rounding."""
    return (
        pl.col("case_points_centi")
        + pl.col("t2a_points_centi")
        + 100 * (pl.col("report_points") + pl.col("contact_points"))
    )


def owner_workload(
    tables: SnapshotTables, config: PointsConfiguration, on: date
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Per-owner workload and per-owner caseload breakdown, as lazy tables."""
    scored = weighted_case_points(tables.cases.lazy(), config)
    zero_filled = [*OWNER_TOTALS, "reduction_hours_centi"]
    owners = (
        tables.staff.lazy()
        .join(points_tables.grade_table(config).lazy(), on="grade", how="left")
        .join(case_totals(scored), on=OWNER_KEY, how="left")
        .join(report_totals(tables.reports.lazy(), config, on), on=OWNER_KEY, how="left")
        .join(contact_totals(tables.contacts.lazy(), config, on), on=OWNER_KEY, how="left")
        .join(reduction_totals(tables.reductions.lazy(), on), on=OWNER_KEY, how="left")
        .with_columns(
            [pl.col(name).fill_null(0).cast(pl.Int64) for name in zero_filled]
            + [
                pl.coalesce(
                    "contracted_hours_centi", pl.col("default_hours_centi"), pl.lit(0)
                ).alias("contracted_hours_centi")
            ]
        )
        .with_columns(
            total_points=round_centi_half_up(total_points_centi()),
            hours_available_centi=pl.col("contracted_hours_centi")
            - pl.col("reduction_hours_centi"),
            available_points=available_points(
                pl.col("nominal_target"),
                pl.col("contracted_hours_centi"),
                pl.col("reduction_hours_centi"),
                pl.col("default_hours_centi"),
            ),
        )
        .with_columns(
            remaining_points=pl.col("available_points") - pl.col("total_points"),
            capacity_tenths=capacity_tenths(pl.col("total_points"), pl.col("available_points")),
        )
        .drop("nominal_target", "default_hours_centi")
        .sort(OWNER_KEY)
    )
    caseload = (
        scored.group_by(CASELOAD_KEY)
        .agg(
            (pl.col("tier") == tier).sum().cast(pl.Int64).alias(column)
            for tier, column in TIER_COLUMNS.items()
        )
        .sort(CASELOAD_KEY)
    )
    return owners, caseload


def calculate(tables: SnapshotTables, config: PointsConfiguration, on: date) -> WorkloadResults:
    """Everyone's workload and every unit's roll-up on the date, in one pass."""
    owners, caseload = owner_workload(tables, config, on)
    owners_frame, caseload_frame = pl.collect_all([owners, caseload])
    return WorkloadResults(
        owners=owners_frame,
        caseload=caseload_frame,
        units=roll_up(owners_frame, tables.units, tables.cases),
        findings=quality_findings(tables, owners_frame, config, on),
    )
