"""The read-only pages, driven in process over the real application and store."""

from __future__ import annotations

import html
import io
import re

import pytest
from fastapi.testclient import TestClient

from wmt.web.common import capacity_band


def text(page: str) -> str:
    """What a person reads: tags gone, entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_home_leads_to_the_national_overview(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/national/national/overview"


def test_drill_down_from_national_to_practitioner(client: TestClient) -> None:
    national = text(client.get("/national/national/overview").text)
    assert "14.1 %" in national and "North" in national
    region = client.get("/region/R1/overview").text
    assert 'href="/pdu/P1/overview"' in region
    pdu = client.get("/pdu/P1/overview").text
    assert 'href="/team/T1/overview"' in pdu
    team = client.get("/team/T1/overview")
    assert team.status_code == 200
    assert 'href="/practitioner/S1/overview"' in team.text
    assert "17.8 %" in text(team.text)


def test_the_practitioner_page_explains_the_figure(client: TestClient) -> None:
    page = text(client.get("/practitioner/S3/overview").text)
    assert "Cara Davies" in page
    assert "contracted for 37.00 hours, less 22.20 hours of reductions" in page
    assert "2,176 × 14.80 ÷ 37, rounded down, is 870 points" in page
    assert "PQiP 6 to 12 months" in page
    assert "PQiP first 6 months" not in page  # ended before the snapshot


def test_children_are_sortable(client: TestClient) -> None:
    page = client.get("/team/T1/overview?sort=capacity_percent&order=ascending").text
    assert page.index("/practitioner/S2/") < page.index("/practitioner/S1/")
    page = client.get("/team/T1/overview?sort=capacity_percent&order=descending").text
    assert page.index("/practitioner/S1/") < page.index("/practitioner/S2/")


def test_tables_download_as_csv_and_as_a_real_workbook(client: TestClient) -> None:
    csv = client.get("/team/T1/overview?download=csv")
    assert csv.headers["content-disposition"] == (
        'attachment; filename="team-T1-practitioners-2026-11-20.csv"'
    )
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith("staff_code,team_code")
    xlsx = client.get("/team/T1/overview?download=xlsx")
    import fastexcel

    sheet = fastexcel.read_excel(xlsx.content).load_sheet(0).to_polars()
    assert sheet.columns[:3] == ["staff_code", "team_code", "grade"]
    assert sheet.filter(sheet["staff_code"] == "S1")["total_points"].to_list() == [458]
    assert sheet.schema["capacity_percent"].is_float()
    assert io.BytesIO(xlsx.content).read(2) == b"PK"


def test_unknown_units_get_a_plain_not_found_page(client: TestClient) -> None:
    response = client.get("/team/NOWHERE/overview")
    assert response.status_code == 404
    assert "There is no team 'NOWHERE'" in text(response.text)
    assert client.get("/county/X/overview").status_code == 404
    assert client.get("/practitioner/NOBODY/overview").status_code == 404


def test_govuk_styles_are_served(client: TestClient) -> None:
    assert client.get("/govuk/govuk-frontend.min.css").status_code == 200
    assert client.get("/assets/images/govuk-crest.svg").status_code == 200


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (None, "none"),
        (89.9, "under-90"),
        (90, "comfortable"),
        (110, "comfortable"),
        (110.1, "over-110"),
        (120, "over-110"),
        (120.1, "over-120"),
    ],
)
def test_capacity_bands(percent: float | None, band: str) -> None:
    assert capacity_band(percent) == band


def test_caseload_by_tier_and_type(client: TestClient) -> None:
    page = client.get("/team/T1/caseload?download=csv").content.decode("utf-8-sig")
    rows = {line.split(",")[0]: line.split(",")[1:] for line in page.splitlines()[1:]}
    # community, custody, licence, t2a, total: S1 holds A3 community, B2 licence, a C1 T2A
    # custody case; S2 a D2 community case.
    assert rows["A3"] == ["1", "0", "0", "0", "1"]
    assert rows["B2"] == ["0", "0", "1", "0", "1"]
    assert rows["C1"] == ["0", "0", "0", "1", "1"]
    assert rows["D2"] == ["1", "0", "0", "0", "1"]
    practitioner = client.get("/practitioner/S3/caseload?download=csv").content.decode("utf-8-sig")
    assert "B1S,0,0,1,0,1" in practitioner


def test_history_signals_and_quality_pages(client: TestClient) -> None:
    history = text(client.get("/practitioner/S1/history").text)
    assert "2026-11-20" in history and "21.0 %" in history
    signals = client.get("/pdu/P1/signals")
    assert signals.status_code == 200
    assert "snapshot gap" in text(signals.text)
    quality = text(client.get("/team/T2/quality").text)
    assert "unallocated cases" in quality
    assert client.get("/practitioner/S1/quality").status_code == 404
