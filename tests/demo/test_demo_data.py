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
