"""Demo data: reproducible, valid, and calibrated to the published national figures."""

from __future__ import annotations

import filecmp
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from wmt.demo.generate import write_demo_snapshot
from wmt.domain.points import default_points_configuration
from wmt.engine import calculate
from wmt.ingest.case_folder import read_case_folder

AS_OF = date(2026, 11, 20)


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    other = tmp_path / "other"
    write_demo_snapshot(first, scale="small", seed=5, as_of=AS_OF)
    write_demo_snapshot(second, scale="small", seed=5, as_of=AS_OF)
    write_demo_snapshot(other, scale="small", seed=6, as_of=AS_OF)
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert (first / "cases.csv").read_bytes() != (other / "cases.csv").read_bytes()


def test_small_demo_data_is_valid_case_level_input(tmp_path: Path) -> None:
    summary = write_demo_snapshot(tmp_path, scale="small", seed=1, as_of=AS_OF)
    tables, on = read_case_folder(tmp_path)
    assert on == AS_OF
    assert tables.cases.height == summary.cases
    assert tables.units.height == summary.teams


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("national")
    summary = write_demo_snapshot(folder, scale="national", seed=1, as_of=AS_OF)
    tables, on = read_case_folder(folder)
    return summary, tables, calculate(tables, default_points_configuration(), on)


@pytest.mark.slow
def test_national_demo_has_the_shape_of_england_and_wales(national) -> None:
    summary, tables, _ = national
    assert summary.regions == 12
    assert 100 <= summary.pdus <= 120
    assert 900 <= summary.teams <= 1100
    assert 10_000 <= tables.staff.height <= 11_000
    assert 230_000 <= summary.cases <= 250_000
    grades = tables.staff["grade"].value_counts(normalize=True)
    share = dict(zip(grades["grade"], grades["proportion"], strict=True))
    assert 0.35 <= share["PO"] <= 0.50
    assert 0.35 <= share["PSO"] <= 0.50
    assert 0.05 <= share["PQiP"] <= 0.20
    assert 0.0 < share["SPO"] <= 0.06
    assert tables.reductions.height > 0 and tables.contacts.height > 10_000


@pytest.mark.slow
def test_national_demo_is_calibrated_to_published_figures(national) -> None:
    _, _, results = national
    country = results.units.filter(pl.col("level") == "national").to_dicts()[0]
    assert 1100 <= country["capacity_tenths"] <= 1250
    full_time_pos = results.owners.filter(
        (pl.col("grade") == "PO")
        & (pl.col("contracted_hours_centi") == 3700)
        & (pl.col("reduction_hours_centi") == 0)
    )
    assert 33 <= full_time_pos["caseload"].mean() <= 40


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame]:
    folder = tmp_path_factory.mktemp("small")
    write_demo_snapshot(folder, scale="small", seed=1, as_of=AS_OF)
    tables, _ = read_case_folder(folder)
    return tables.cases, tables.units


def test_every_offender_management_team_has_a_few_cases_waiting(
    small: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    cases, units = small
    waiting = cases.filter(pl.col("staff_code").is_null()).group_by("team_code").len()
    sizes = dict(waiting.iter_rows())
    custody = units.filter(pl.col("team_name").str.contains("Custody"))["team_code"]
    om_teams = units.filter(~pl.col("team_code").is_in(custody.implode()))["team_code"]
    assert all(2 <= sizes.get(team, 0) <= 10 for team in om_teams)
    assert not set(sizes) & set(custody)


def test_waiting_cases_were_sentenced_shortly_before_the_snapshot_and_held_ones_earlier(
    small: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    cases, _ = small
    days = (pl.lit(AS_OF) - pl.col("sentence_date")).dt.total_days()
    waiting = cases.filter(pl.col("staff_code").is_null()).select(days.alias("days"))["days"]
    assert waiting.drop_nulls().is_between(0, 14).all() and waiting.len() > 0
    held = cases.filter(pl.col("staff_code").is_not_null())
    assert (held["sentence_date"] < held["allocated_date"]).all()
    assert held.select(days.median()).item() > 60
    assert (
        held.filter(pl.col("case_type") != "custody")["initial_appointment_date"].null_count() == 0
    )
    assert cases.filter(pl.col("staff_code").is_null())[
        "initial_appointment_date"
    ].null_count() == (waiting.len())


def test_rosh_is_mostly_low_or_medium_and_follows_the_tier(
    small: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    cases, _ = small
    rosh = cases["rosh"].value_counts(normalize=True)
    share = dict(zip(rosh["rosh"], rosh["proportion"], strict=True))
    assert share["low"] + share["medium"] > 0.6
    assert 0 < share["very_high"] < share["high"] < share["medium"]
    d_tiers = cases.filter(pl.col("tier").str.starts_with("D"))["rosh"]
    assert not d_tiers.is_in(["high", "very_high"]).any()
    assert cases.filter(pl.col("tier") == "untiered")["rosh"].null_count() == (
        cases.filter(pl.col("tier") == "untiered").height
    )


def test_some_cases_name_a_previous_practitioner_often_in_the_same_team(tmp_path: Path) -> None:
    write_demo_snapshot(tmp_path, scale="small", seed=1, as_of=AS_OF)
    tables, _ = read_case_folder(tmp_path)
    named = tables.cases.filter(pl.col("previous_staff_code").is_not_null())
    assert 0.1 < named.height / tables.cases.height < 0.5
    assert (named["previous_staff_code"] != named["staff_code"]).fill_null(True).all()
    teams = tables.staff.select(previous_staff_code="staff_code", team_code="team_code")
    same_team = named.join(teams, on=["previous_staff_code", "team_code"], how="semi")
    assert same_team.height / named.height > 0.4


@pytest.mark.slow
def test_a_few_national_pdus_have_hundreds_waiting(national) -> None:
    _, tables, _ = national
    waiting = (
        tables.cases.filter(pl.col("staff_code").is_null())
        .join(tables.units, on="team_code")
        .group_by("pdu_code", "region_name")
        .len()
        .sort("len", descending=True)
    )
    worst = waiting.row(0, named=True)
    assert 600 <= worst["len"] <= 750 and worst["region_name"] == "London"
    assert 4 <= waiting.filter(pl.col("len") >= 150).height <= 8
    assert waiting["len"].median() < 100
