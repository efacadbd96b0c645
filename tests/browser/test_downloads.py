"""A team's table downloaded through the page's links opens with the figures the page shows."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import fastexcel
import pytest
from playwright.sync_api import Page

from tests.browser.pages import Site, capacity_in_table
from wmt.services.capacity import PRACTITIONER_COLUMNS

pytestmark = pytest.mark.browser


def _download(page: Page, link: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.get_by_role("link", name=link, exact=True).click()
    download = started.value
    assert download.failure() is None
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_a_team_table_downloads_as_csv_and_xlsx_with_the_figures_on_the_page(
    site: Site, page: Page, signed_in: Callable[[str], Page], tmp_path: Path
) -> None:
    team, person = site.team, site.practitioner
    signed_in("team_manager")
    page.goto(team.path)
    shown = capacity_in_table(page, person.name).inner_text().removesuffix(" %")
    assert shown == person.capacity
    stem = f"team-{team.code}-practitioners-{site.as_of}"

    csv_file = _download(page, "CSV", tmp_path)
    assert csv_file.name == f"{stem}.csv"
    with csv_file.open(encoding="utf-8-sig", newline="") as opened:
        reader = csv.reader(opened)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == list(PRACTITIONER_COLUMNS)
    (theirs,) = [row for row in rows if row["staff_code"] == person.code]
    assert theirs["capacity_percent"] == shown
    assert {row["team_code"] for row in rows} == {team.code}

    xlsx_file = _download(page, "Excel", tmp_path)
    assert xlsx_file.name == f"{stem}.xlsx"
    workbook = fastexcel.read_excel(xlsx_file)
    sheet = workbook.load_sheet(0)
    assert [column.name for column in sheet.available_columns()] == list(PRACTITIONER_COLUMNS)
    table = sheet.to_polars()
    (capacity,) = table.filter(table["staff_code"] == person.code)["capacity_percent"].to_list()
    assert isinstance(capacity, float)
    assert Decimal(str(capacity)) == Decimal(shown)
    assert table.height == len(rows)
