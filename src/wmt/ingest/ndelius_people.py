"""Teams, workload owners, court reports and support contacts from the nDelius extract."""

from __future__ import annotations

from datetime import date

import polars as pl

from wmt.domain.grades import grade_from_ndelius_code
from wmt.engine.tables import SnapshotTables
from wmt.ingest.checks import ROW, clean
from wmt.ingest.ndelius_cases import FINDING_COLUMNS, cases_table
from wmt.ingest.ndelius_sheets import OWNER_SHEETS, label, parse_day


def _grade(codes: pl.Expr, values: pl.Series) -> pl.Expr:
    mapping = {code: grade_from_ndelius_code(code).value for code in values.unique().to_list()}
    return codes.replace_strict(mapping, default="none", return_dtype=pl.String)


def _unallocated(staff: str = "staff_code", team: str = "team_code") -> pl.Expr:
    return pl.col(staff).str.ends_with("U") | pl.col(team).str.ends_with("U")


def units_table(sheets: dict[str, pl.DataFrame]) -> pl.DataFrame:
    frames = [
        sheets[sheet].select(
            clean("team_code"),
            clean("team_desc").alias("team_name"),
            clean("pdu_code"),
            clean("pdu_desc").alias("pdu_name"),
            clean("region_code"),
            clean("region_desc").alias("region_name"),
        )
        for sheet in OWNER_SHEETS
    ]
    return (
        pl.concat(frames)
        .drop_nulls("team_code")
        .unique("team_code", keep="first")
        .with_columns(
            pl.col("team_name").fill_null(pl.col("team_code")),
            pl.col("pdu_code").fill_null("unknown"),
            pl.col("pdu_name").fill_null("Unknown PDU"),
            pl.col("region_code").fill_null("unknown"),
            pl.col("region_name").fill_null("Unknown region"),
        )
        .sort("team_code")
    )


def _owner_rows(sheets: dict[str, pl.DataFrame]) -> pl.DataFrame:
    owners = [
        sheets[sheet].select(
            clean("om_key").alias("staff_code"),
            clean("team_code"),
            clean("om_grade_code").alias("grade_code"),
            clean("om_forename").alias("forename"),
            clean("om_surname").alias("surname"),
        )
        for sheet in OWNER_SHEETS
    ]
    cms = sheets["cms"]
    workers = [
        cms.select(
            clean("contact_staff_key").alias("staff_code"),
            clean("contact_team_key").alias("team_code"),
            clean("contact_staff_grade").alias("grade_code"),
        ),
        cms.select(
            clean("om_key").alias("staff_code"),
            clean("om_team_key").alias("team_code"),
            clean("om_grade").alias("grade_code"),
        ),
    ]
    return pl.concat([*owners, *workers], how="diagonal")


def staff_table(
    sheets: dict[str, pl.DataFrame], units: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Workload owners in known teams, and findings for staff who are in no team."""
    rows = _owner_rows(sheets).drop_nulls("staff_code").filter(~_unallocated().fill_null(False))
    known_team = pl.col("team_code").is_in(units["team_code"].implode()).fill_null(False)
    homeless = rows.filter(~known_team).unique(["staff_code", "team_code"], keep="first")
    findings = homeless.select(
        pl.lit("staff not in any team").alias("finding"),
        "staff_code",
        "team_code",
        pl.lit(None, pl.String).alias("crn"),
        pl.format(
            "appears in the extract with team {}, which no caseload sheet lists; their "
            "work cannot be counted",
            pl.col("team_code").fill_null("(blank)"),
        ).alias("detail"),
    )
    staff = (
        rows.filter(known_team)
        .unique(["staff_code", "team_code"], keep="first", maintain_order=True)
        .with_columns(_grade(pl.col("grade_code"), rows["grade_code"]).alias("grade"))
        .drop("grade_code")
        .sort("team_code", "staff_code")
    )
    return staff, findings


def reports_table(sheets: dict[str, pl.DataFrame], on: date) -> pl.DataFrame:
    """Counts of reports in the last 30 days, as that many reports dated on the snapshot date."""
    counts = sheets["court_reports"].select(
        clean("om_key").alias("staff_code"),
        clean("team_code"),
        *[
            clean(column).str.replace(r"\.0+$", "").cast(pl.Int64).fill_null(0).alias(kind)
            for column, kind in (
                ("sdr_last_30", "standard"),
                ("sdr_conv_last_30", "fast"),
                ("oral_reports", "oral"),
            )
        ],
    )
    long = counts.unpivot(
        index=["staff_code", "team_code"], variable_name="report_type", value_name="reports"
    ).filter(pl.col("reports") > 0)
    return (
        long.with_columns(pl.int_ranges(0, pl.col("reports")).alias("n"))
        .explode("n")
        .select("staff_code", "team_code", "report_type", pl.lit(on).alias("completed_date"))
    )


def contacts_table(sheets: dict[str, pl.DataFrame], staff: pl.DataFrame) -> pl.DataFrame:
    """Support contacts by known workload owners; a holder in no known team is left blank."""
    contacts = (
        sheets["cms"]
        .select(
            clean("contact_id"),
            clean("crn"),
            parse_day("contact_date"),
            clean("contact_type_code").str.to_uppercase(),
            clean("contact_staff_key").alias("staff_code"),
            clean("contact_team_key").alias("team_code"),
            clean("om_key").alias("holder_staff_code"),
            clean("om_team_key").alias("holder_team_code"),
        )
        .unique("contact_id", keep="first", maintain_order=True)
    )
    owners = staff.select("staff_code", "team_code")
    holders = owners.rename({"staff_code": "holder_staff_code", "team_code": "holder_team_code"})
    known_holder = contacts.join(holders, on=["holder_staff_code", "holder_team_code"], how="semi")
    contacts = (
        contacts.with_columns(
            pl.col("contact_id").is_in(known_holder["contact_id"].implode()).alias("_known")
        )
        .with_columns(
            pl.when(pl.col("_known")).then(pl.col(c)).otherwise(None).alias(c)
            for c in ("holder_staff_code", "holder_team_code")
        )
        .drop("_known")
    )
    return contacts.join(owners, on=["staff_code", "team_code"], how="semi")


def ownerless_rows(sheets: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Rows with counts but no practitioner or team cannot be anyone's work: set them aside."""
    kept: dict[str, pl.DataFrame] = dict(sheets)
    findings = []
    for sheet in OWNER_SHEETS:
        frame = sheets[sheet]
        ownerless = clean("om_key").is_null() | clean("team_code").is_null()
        kept[sheet] = frame.filter(~ownerless)
        findings.append(
            frame.filter(ownerless).select(
                pl.lit("row with no practitioner or team").alias("finding"),
                clean("om_key").alias("staff_code"),
                clean("team_code"),
                pl.lit(None, pl.String).alias("crn"),
                pl.format(
                    "{} row {} has counts but no OM_Key or Team_Code; it was left out",
                    pl.lit(label(sheet)),
                    pl.col(ROW),
                ).alias("detail"),
            )
        )
    return kept, pl.concat(findings)


def to_tables(sheets: dict[str, pl.DataFrame], on: date) -> tuple[SnapshotTables, pl.DataFrame]:
    """The engine's tables for the extract, and the reader's data-quality findings."""
    sheets, ownerless_findings = ownerless_rows(sheets)
    units = units_table(sheets)
    staff, staff_findings = staff_table(sheets, units)
    cases, case_findings = cases_table(sheets)
    tables = SnapshotTables.from_frames(
        units=units,
        staff=staff,
        cases=cases,
        reports=reports_table(sheets, on),
        contacts=contacts_table(sheets, staff),
    )
    findings = pl.concat([ownerless_findings, staff_findings, case_findings]).select(
        FINDING_COLUMNS
    )
    return tables, findings
