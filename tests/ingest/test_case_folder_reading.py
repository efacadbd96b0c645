"""What the case-level reader accepts: any column order and case, extra columns, Parquet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from tests.case_folders import VALID_FILES, write_folder
from wmt.domain.points import default_points_configuration
from wmt.engine import calculate
from wmt.ingest.case_folder import read_case_folder


def test_the_valid_folder_reads_into_typed_tables(tmp_path: Path) -> None:
    tables, on = read_case_folder(write_folder(tmp_path / "s"))
    assert str(on) == "2026-11-20"
    cases = {row["crn"]: row for row in tables.cases.to_dicts()}
    assert cases["X000005"]["case_type"] == "licence"  # "license" accepted
    assert cases["X000005"]["tier"] == "B1S"
    assert cases["X000006"]["tier"] == "untiered"
    assert cases["X000006"]["staff_code"] is None  # unallocated
    assert cases["X000004"]["unpaid_work"] and cases["X000004"]["priority"]
    assert cases["X000003"]["t2a"] and cases["X000003"]["warrant"]
    staff = {row["staff_code"]: row for row in tables.staff.to_dicts()}
    assert staff["S2"]["contracted_hours_centi"] == 1850
    assert staff["S1"]["contracted_hours_centi"] is None
    assert staff["S3"]["grade"] == "PQiP"
    contacts = {row["contact_id"]: row for row in tables.contacts.to_dicts()}
    assert (contacts["1"]["holder_staff_code"], contacts["1"]["holder_team_code"]) == ("S1", "T1")
    reductions = tables.reductions.sort("start_date").to_dicts()
    assert reductions[0]["reason"] == "Trade union facility time"  # catalogue spelling
    assert reductions[0]["deleted"] is True


def test_column_order_case_and_extra_columns_do_not_matter(tmp_path: Path) -> None:
    shuffled = (
        "Tier,CASE_TYPE,Team_Code,Staff_Code,CRN,Notes\n"
        "a3,COMMUNITY,T1,S1,X1,remember this one\n"
        "b2,Licence,T1,S1,X2,\n"
    )
    tables, _ = read_case_folder(write_folder(tmp_path / "s", {"cases.csv": shuffled}))
    assert tables.cases.select("crn", "case_type", "tier").rows() == [
        ("X1", "community", "A3"),
        ("X2", "licence", "B2"),
    ]


def test_optional_files_may_be_left_out(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "s", {"reports.csv": None, "contacts.csv": None, "reductions.csv": None}
    )
    tables, _ = read_case_folder(folder)
    assert tables.reports.is_empty() and tables.contacts.is_empty()
    assert tables.cases.height == 6


def test_parquet_files_are_read_like_csv(tmp_path: Path) -> None:
    csv_folder = write_folder(tmp_path / "csv")
    parquet_folder = tmp_path / "parquet"
    parquet_folder.mkdir()
    for name in VALID_FILES:
        if name.endswith(".csv"):
            frame = pl.read_csv(csv_folder / name, try_parse_dates=True)
            frame.write_parquet(parquet_folder / name.replace(".csv", ".parquet"))
    (parquet_folder / "snapshot.txt").write_text(VALID_FILES["snapshot.txt"])
    from_csv, _ = read_case_folder(csv_folder)
    from_parquet, _ = read_case_folder(parquet_folder)
    for name in ("units", "staff", "cases", "reports", "contacts", "reductions"):
        assert getattr(from_csv, name).equals(getattr(from_parquet, name)), name


def test_allocation_columns_are_read_and_blank_is_not_known(tmp_path: Path) -> None:
    cases = (
        "crn,staff_code,team_code,case_type,tier,sentence_date,previous_staff_code,rosh,"
        "initial_appointment_date\n"
        "X1,S1,T1,community,A3,2025-01-01,,Very_High,2025-01-06\n"
        "X2,,T2,licence,B2,2026-11-16,GONE1,low,\n"
        "X3,,T2,custody,C1,,,,\n"
    )
    tables, _ = read_case_folder(write_folder(tmp_path / "s", {"cases.csv": cases}))
    columns = ("crn", "sentence_date", "previous_staff_code", "rosh", "initial_appointment_date")
    assert tables.cases.select(columns).rows() == [
        ("X1", date(2025, 1, 1), None, "very_high", date(2025, 1, 6)),
        ("X2", date(2026, 11, 16), "GONE1", "low", None),
        ("X3", None, None, None, None),
    ]


def test_a_folder_without_the_allocation_columns_reads_them_as_blank(tmp_path: Path) -> None:
    tables, _ = read_case_folder(write_folder(tmp_path / "s"))
    columns = ["sentence_date", "previous_staff_code", "rosh", "initial_appointment_date"]
    assert tables.cases.select(pl.col(columns).null_count()).row(0) == (6, 6, 6, 6)


def test_allocation_columns_change_no_figure(tmp_path: Path) -> None:
    plain, on = read_case_folder(write_folder(tmp_path / "plain"))
    header, *rows = VALID_FILES["cases.csv"].splitlines()
    filled = "\n".join(
        [f"{header},sentence_date,previous_staff_code,rosh,initial_appointment_date"]
        + [f"{row},2026-11-02,S2,very_high,2026-11-05" for row in rows]
    )
    richer, _ = read_case_folder(write_folder(tmp_path / "richer", {"cases.csv": filled + "\n"}))
    config = default_points_configuration()
    assert calculate(richer, config, on).owners.equals(calculate(plain, config, on).owners)
