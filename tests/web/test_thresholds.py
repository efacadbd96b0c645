"""The capacity bands, the chart's band and line, and the signals follow the thresholds in
force on the date a page shows, as an administrator sets them in the points configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests import html
from tests.case_folders import VALID_FILES, write_folder
from wmt.services.importing import import_case_folder
from wmt.services.points import add_points_version, show_points
from wmt.store.transactions import Store

WEEKS = ("2026-10-30", "2026-11-06", "2026-11-13", "2026-11-20", "2026-11-27")
CHANGED_FROM = date(2026, 11, 13)  # the overload threshold is 105 from the third week
# Nine more A3 community cases for Ada Brown (S1): over 105 % every week, never over 110 %.
MORE_CASES = VALID_FILES["cases.csv"] + "".join(
    f"Y{n:06d},S1,T1,community,A3,false,,2025-01-02\n" for n in range(9)
)


@dataclass
class Reading:
    """What a page shows in its tables, its band key and its chart, as text."""

    rows: list[list[str]] = field(default_factory=list)  # every table body row's cells
    bands: list[tuple[str, str]] = field(default_factory=list)  # (band class, words) marks
    chart: list[str] = field(default_factory=list)  # the chart's text labels


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.reading = Reading()
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.band: tuple[str, list[str]] | None = None
        self.label: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr":
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []
        elif tag == "span" and "wmt-band" in classes:
            kind = next(c for c in classes if c.startswith("wmt-band--"))
            self.band = (kind.removeprefix("wmt-band--"), [])
        elif tag == "text":
            self.label = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row:
            self.reading.rows.append(self.row)
            self.row = None
        elif tag == "span" and self.band is not None:
            self.reading.bands.append((self.band[0], "".join(self.band[1]).strip()))
            self.band = None
        elif tag == "text" and self.label is not None:
            self.reading.chart.append("".join(self.label).strip())
            self.label = None

    def handle_data(self, data: str) -> None:
        for part in (self.cell, self.band[1] if self.band else None, self.label):
            if part is not None:
                part.append(data)


def read(client: TestClient, address: str) -> Reading:
    response = client.get(address)
    assert response.status_code == 200, response.text
    reader = _Reader()
    reader.feed(response.text)
    return reader.reading


@pytest.fixture
def overload_105(client: TestClient, store: Store, tmp_path: Path) -> TestClient:
    """Five weekly snapshots, then a points version with the overload threshold at 105 %
    from the third week, entered as an administrator enters it."""
    for day in WEEKS:
        changes: dict[str, str | None] = {"snapshot.txt": f"{day}\n", "cases.csv": MORE_CASES}
        import_case_folder(store, write_folder(tmp_path / day, changes), date.fromisoformat(day))
    document = show_points(store, CHANGED_FROM, "toml")
    changed = re.sub(r"(?m)^overload_percent = 110$", "overload_percent = 105", document)
    assert changed != document
    add_points_version(store, changed, CHANGED_FROM, "admin")
    return client


def key_words(reading: Reading) -> list[str]:
    """The band key's words, lowest band first (the only marks that are words alone)."""
    return [words for _, words in reading.bands if not re.fullmatch(r"-?[0-9.]+ %", words)]


def capacity_cell(reading: Reading, name: str) -> str:
    """The capacity cell of a row of the children's table, found by the row's first cell."""
    return next(row[5] for row in reading.rows if row[0] == name)


def test_the_band_key_names_the_thresholds_of_the_date_shown(overload_105: TestClient) -> None:
    after = read(overload_105, "/team/T1/overview?as_of=2026-11-20")
    before = read(overload_105, "/team/T1/overview?as_of=2026-11-06")
    assert key_words(after) == ["under 90 %", "90 to 105 %", "over 105 %", "over 120 %"]
    assert key_words(before) == ["under 90 %", "90 to 110 %", "over 110 %", "over 120 %"]


def test_a_capacity_between_the_thresholds_is_overload_only_once_105_holds(
    overload_105: TestClient,
) -> None:
    after = read(overload_105, "/team/T1/overview?as_of=2026-11-20")
    before = read(overload_105, "/team/T1/overview?as_of=2026-11-06")
    assert capacity_cell(after, "Ada Brown") == "106.3 % over 105 %"
    assert capacity_cell(before, "Ada Brown") == "107.1 % 90 to 110 %"
    assert ("overload", "106.3 %") in after.bands and ("comfortable", "107.1 %") in before.bands
    practitioner = read(overload_105, "/practitioner/S1/overview?as_of=2026-11-27")
    assert ("overload", "107.1 %") in practitioner.bands


def test_the_chart_draws_the_band_and_line_at_the_thresholds(overload_105: TestClient) -> None:
    newest = read(overload_105, "/practitioner/S1/history")
    assert {"90–105 %", "105 %"} <= set(newest.chart)
    assert "90–110 %" not in newest.chart and "110 %" not in newest.chart
    assert key_words(newest) == ["under 90 %", "90 to 105 %", "over 105 %", "over 120 %"]
    earlier = read(overload_105, "/practitioner/S1/history?to=2026-11-06")
    assert {"90–110 %", "110 %"} <= set(earlier.chart)
    assert "105 %" not in earlier.chart


def test_signals_judge_sustained_overload_by_the_same_threshold(overload_105: TestClient) -> None:
    """Ada is between 105 % and 110 % for the four weeks to 27 November: overloaded at 105."""
    rows = read(overload_105, "/team/T1/signals?as_of=2026-11-27").rows
    sustained = [row for row in rows if row[0] == "Sustained overload"]
    assert [(row[1], row[4]) for row in sustained] == [("S1", "over 105 % for 4 weeks")]


def test_each_date_of_a_history_is_banded_by_the_thresholds_in_force_on_it(
    overload_105: TestClient,
) -> None:
    history = read(overload_105, "/practitioner/S1/history")
    bands = {row[0]: row[7].split(" % ", 1)[1] for row in history.rows}
    assert bands == {
        "2026-10-30": "90 to 110 %",
        "2026-11-06": "90 to 110 %",
        "2026-11-13": "over 105 %",
        "2026-11-20": "over 105 %",
        "2026-11-27": "over 105 %",
    }
    chart = html.parse(overload_105.get("/practitioner/S1/history")).find("svg")
    assert chart is not None
    shaded = [rect for rect in chart.find_all("rect") if rect.get("fill") == "#cce2d8"]
    lines = [line for line in chart.find_all("line") if line.get("stroke") == "#d4351c"]
    assert len(shaded) == len(lines) == 2  # 110 % to 13 November, 105 % from then on
    earlier, later = (
        {name: float(rect.get(name)) for name in ("x", "y", "width")} for rect in shaded
    )
    assert (
        earlier["x"] + earlier["width"] == later["x"]
    )  # the second band starts where the first ends
    assert earlier["y"] < later["y"]  # 110 % lies above 105 %
