"""The read-only pages, driven in process over the real application and store."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.case_folders import VALID_FILES, write_folder
from tests.web.sessions import PASSWORD, read_page, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store
from wmt.web.common import capacity_band


def text(page: str) -> str:
    """What a person reads: tags gone, entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def body_rows(page: str) -> list[str]:
    """The rows of the page's table body, each as the text a person reads."""
    body = page[page.index('<tbody class="govuk-table__body">') : page.index("</tbody>")]
    return [text(row).strip() for row in re.split(r"<tr[^>]*>", body)[1:]]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if tag == "a" and name == "href"]


def links(page: str) -> list[str]:
    """Where every link on the page goes."""
    parser = _Links()
    parser.feed(page)
    return parser.found


def csv_rows(response: object) -> list[list[str]]:
    content = getattr(response, "content", b"")
    return [line.split(",") for line in content.decode("utf-8-sig").splitlines()[1:]]


WEEKS = ("2026-10-30", "2026-11-06", "2026-11-13", "2026-11-20")
# Thirty more cases for Ben Carter (S2, 18.5 hours): overloaded every week.
HEAVY_CASES = VALID_FILES["cases.csv"] + "".join(
    f"Y{n:06d},S2,T1,community,A3,false,,2025-01-02\n" for n in range(30)
)


@pytest.fixture
def weeks(client: TestClient, store: Store, tmp_path: Path) -> TestClient:
    """Weekly snapshots for four weeks to 2026-11-20, in which S2 is overloaded throughout."""
    for day in WEEKS:
        changes: dict[str, str | None] = {"snapshot.txt": f"{day}\n", "cases.csv": HEAVY_CASES}
        import_case_folder(store, write_folder(tmp_path / day, changes), date.fromisoformat(day))
    return client


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
    # Every reduction is listed with its status; only the active one took hours off above.
    assert "PQiP first 6 months 2026-03-01 2026-09-01 29.60 Archived" in page


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
        (89.9, "under"),
        (90, "comfortable"),
        (110, "comfortable"),
        (110.1, "overload"),
        (120, "overload"),
        (120.1, "severe"),
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
    assert "Snapshot gap" in text(signals.text)
    quality = text(client.get("/team/T2/quality").text)
    assert "unallocated cases" in quality
    assert client.get("/practitioner/S1/quality").status_code == 404


def test_capacity_bands_are_named_in_words_not_colour_alone(client: TestClient) -> None:
    page = text(client.get("/team/T1/overview").text)
    assert "21.0 % under 90 %" in page
    key = "named by band: under 90 %, 90 to 110 %, over 110 %, over 120 %"
    assert key in page.replace(" ,", ",")


def test_history_is_drawn_as_a_line_chart_with_a_text_alternative(weeks: TestClient) -> None:
    page = weeks.get("/team/T1/history").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-summary"' in svg
    assert 'id="chart-title"' in svg and 'id="chart-summary"' in page
    line = re.search(r'<path d="(M[^"]+)" fill="none"', svg)
    assert line is not None and line.group(1).count("L") == 3  # four snapshots joined
    assert svg.count("<circle") == 4
    for label in ("30 Oct 2026", "20 Nov 2026", "0 %", "110 %", "90–110 %"):
        assert f">{label}</text>" in svg
    assert (
        "Team T1: 4 snapshots from 30 Oct 2026 to 20 Nov 2026; 200.9 % at first, "
        "207.2 % at last, highest 207.2 % on 20 Nov 2026."
    ) in text(page)
    # The same figures follow as a table.
    rows = body_rows(page)
    assert [row.split()[0] for row in rows] == list(WEEKS)
    assert rows[-1].endswith("207.2 % over 120 %")


def test_a_single_snapshot_is_one_point(client: TestClient) -> None:
    page = client.get("/practitioner/S1/history").text
    assert 'role="img"' in page and page.count("<circle") == 1
    assert "Practitioner S1: 21.0 % on 20 Nov 2026, one snapshot." in text(page)


def test_the_date_form_chooses_the_period_and_its_download(weeks: TestClient) -> None:
    query = "from-day=6&from-month=11&from-year=2026&to-day=13&to-month=11&to-year=2026"
    page = weeks.get(f"/team/T1/history?{query}")
    assert page.status_code == 200
    assert [row.split()[0] for row in body_rows(page.text)] == ["2026-11-06", "2026-11-13"]
    assert 'name="from-day" type="text" inputmode="numeric" value="6"' in page.text
    assert "2 snapshots from 6 Nov 2026 to 13 Nov 2026" in text(page.text)
    link = re.search(r'href="(\?[^"]*download=csv[^"]*)"', page.text)
    assert link is not None
    file = weeks.get("/team/T1/history" + html.unescape(link.group(1)))
    assert file.headers["content-disposition"] == (
        'attachment; filename="team-T1-history-2026-11-06-to-2026-11-13.csv"'
    )
    assert [row[0] for row in csv_rows(file)] == ["2026-11-06", "2026-11-13"]
    # Dates in the address, as YYYY-MM-DD, do the same.
    short = weeks.get("/team/T1/history?from=2026-11-13").text
    assert [row.split()[0] for row in body_rows(short)] == ["2026-11-13", "2026-11-20"]


@pytest.mark.parametrize(
    ("query", "message", "target"),
    [
        ("from-day=31&from-month=2&from-year=2026", "Start date must be a real date", "from-day"),
        ("to-day=1&to-year=2026", "End date must include a month", "to-month"),
        ("from-day=1&from-month=1&from-year=26", "Year must include 4 numbers", "from-year"),
        ("from-month=11", "Start date must include a day and year", "from-day"),
        ("from=2026-13-01", "Start date must be a real date", "from-day"),
        (
            "from=2026-11-20&to=2026-11-01",
            "End date must be the same as or after the start date",
            "to-day",
        ),
    ],
)
def test_wrong_dates_are_shown_on_the_form_not_as_not_found(
    client: TestClient, query: str, message: str, target: str
) -> None:
    response = client.get(f"/team/T1/history?{query}")
    assert response.status_code == 400
    page = response.text
    assert "<title>Error: " in page and "There is a problem" in page
    assert f'<a href="#{target}">{message}</a>' in page
    assert f"Error: {message}" in text(page)  # by the field, too
    assert f'id="{target}"' in page and "govuk-input--error" in page
    assert "<svg" not in page.split("</footer>")[0].split("<main")[1]
    assert client.get(f"/team/T1/history?{query}&download=csv").status_code == 400


def test_a_period_without_snapshots_says_so(client: TestClient) -> None:
    response = client.get("/team/T1/history?from=2027-01-01")
    assert response.status_code == 200
    assert "There are no figures for team T1 from 2027-01-01." in text(response.text)


def test_the_overview_summarises_the_units_signals(weeks: TestClient) -> None:
    page = weeks.get("/team/T1/overview").text
    summary = text(page[page.index('id="signals"') : page.index("Practitioners</h2>")])
    assert "Sustained overload 1 practitioner" in summary
    assert "Severe overload 1 practitioner" in summary
    assert "Team imbalance 1 team" in summary
    assert "Snapshot gap" not in summary  # weekly snapshots leave no gap
    assert 'href="/team/T1/signals?signal=sustained%20overload"' in page
    only = weeks.get("/team/T1/signals?signal=sustained%20overload")
    assert "Only Sustained overload is shown" in text(only.text)
    rows = body_rows(only.text)
    assert len(rows) == 1 and rows[0].startswith("Sustained overload S2 T1")


def test_each_child_shows_its_own_signals(weeks: TestClient) -> None:
    team = {row.split(" ")[1]: row for row in body_rows(weeks.get("/team/T1/overview").text)}
    assert team["Carter"].endswith("Sustained overload Severe overload Caseload unreasonable")
    assert team["Brown"].endswith("None")
    pdu = body_rows(weeks.get("/pdu/P1/overview").text)
    first, second = sorted(pdu)
    assert first.startswith("Tyneside Team 1") and first.endswith(
        "1 sustained overload 1 severe overload 1 caseload unreasonable 1 team imbalance"
    )
    assert second.startswith("Tyneside Team 2") and second.endswith("None")
    (region,) = body_rows(weeks.get("/region/R1/overview").text)
    assert region.startswith("Tyneside") and "1 sustained overload" in region


def test_a_snapshot_gap_is_summarised_for_every_unit(client: TestClient) -> None:
    page = text(client.get("/national/national/overview").text)
    assert "Snapshot gap 1 gap between snapshots" in page


def test_signals_on_the_overview_stay_within_scope(
    weeks: TestClient, app: FastAPI, store: Store
) -> None:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T2")
    with TestClient(app, base_url="https://testserver") as manager:
        signed_in(manager, "manager")
        page = manager.get("/team/T2/overview").text
        assert "No signals on 2026-11-20." in text(page)
        words = text(page).split()
        assert "S2" not in words and "Carter" not in words
        assert not [link for link in links(page) if "S2" in link or link.startswith("/team/T1")]
        assert manager.get("/team/T1/overview").status_code == 404


def _many_signals(store: Store, folder: Path) -> None:
    """120 more practitioners in team T2, each on half an hour a week with one case."""
    staff = VALID_FILES["staff.csv"] + "".join(
        f"Z{n:03d},T2,PSO,Pat,Number{n},0.5,2020-01-01,\n" for n in range(120)
    )
    cases = VALID_FILES["cases.csv"] + "".join(
        f"Z{n:06d},Z{n:03d},T2,community,A3,false,,2025-01-02\n" for n in range(120)
    )
    import_case_folder(store, write_folder(folder, {"staff.csv": staff, "cases.csv": cases}))


def test_long_tables_come_a_hundred_rows_to_a_page(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    _many_signals(store, tmp_path / "many")
    everything = csv_rows(client.get("/pdu/P1/signals?download=csv"))
    total = len(everything)
    assert total > 200
    first = client.get("/pdu/P1/signals?as_of=2026-11-20")
    assert len(body_rows(first.text)) == 100
    assert f"Showing rows 1 to 100 of {total}" in text(first.text)
    assert 'class="govuk-pagination"' in first.text
    assert 'href="?as_of=2026-11-20&amp;page=2" rel="next"' in first.text
    assert 'aria-label="Page 1" aria-current="page"' in first.text
    assert 'rel="prev"' not in first.text
    last = (total + 99) // 100
    final = client.get(f"/pdu/P1/signals?as_of=2026-11-20&page={last}")
    assert len(body_rows(final.text)) == total - 100 * (last - 1)
    assert 'rel="prev"' in final.text and 'rel="next"' not in final.text
    # The pages together hold every row, once.
    shown = [
        row
        for n in range(1, last + 1)
        for row in body_rows(client.get(f"/pdu/P1/signals?page={n}").text)
    ]
    assert len(shown) == total and len(set(shown)) == total
    # Past the last page (a link kept from when the table was longer): the last page.
    assert body_rows(client.get("/pdu/P1/signals?page=999").text) == body_rows(final.text)
    assert body_rows(client.get(f"/pdu/P1/signals?page={2**31 - 1}").text) == body_rows(final.text)
    # Downloads hold every row whatever the page.
    link = re.search(r'href="(\?[^"]*download=csv[^"]*)"', final.text)
    assert link is not None and "page=" not in link.group(1)
    assert len(csv_rows(client.get("/pdu/P1/signals" + html.unescape(link.group(1))))) == total


def test_a_short_table_has_no_pagination(client: TestClient) -> None:
    page = client.get("/team/T2/quality").text
    assert "govuk-pagination" not in page and "Showing rows" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=x", "Enter the page number as a whole number, like 2."),
        ("page=0", "Enter the page number as a whole number from 1 to 2,147,483,647."),
        ("page=-1", "Enter the page number as a whole number, like 2."),
        (f"page={10**30}", "Enter the page number as a whole number from 1 to 2,147,483,647."),
        ("page=%D9%A3", "Enter the page number using the digits 0 to 9."),
        ("as_of=20261120", "Enter the snapshot date as YYYY-MM-DD, like 2026-11-20."),
        ("as_of=2026-W47-5", "Enter the snapshot date as YYYY-MM-DD, like 2026-11-20."),
        ("as_of=0001-01-01", "The snapshot date must be between 1 January 2000 and 31 December"),
        ("as_of=2026-02-30", "The snapshot date must be a real date."),
        ("sort=password", "sort must be one of: available_points, capacity_percent,"),
        ("order=sideways", "order must be one of: ascending, descending."),
        ("download=pdf", "download must be one of: csv, xlsx."),
        ("signal=nonsense", "signal must be one of: caseload at risk, caseload unreasonable,"),
    ],
)
def test_a_parameter_the_page_does_not_offer_is_refused_with_what_to_use(
    client: TestClient, query: str, message: str
) -> None:
    for url in ("/pdu/P1/signals", "/team/T1/overview", "/practitioner/S1/overview"):
        response = client.get(f"{url}?{query}")
        page = read_page(response)
        assert response.status_code == 400, (url, query)
        assert page.heading == "Sorry, we cannot show that"
        assert message in page.main, (url, page.main)


@pytest.mark.parametrize(
    "path",
    [
        "/team/" + "T" * 41 + "/overview",
        "/team/T%001/overview",
        "/practitioner/S%1B1/history",
        "/practitioner/%E2%80%AES1/overview",
        "/pdu/P%7F1/signals",
        "/team/T%001/audit",
    ],
)
def test_a_code_no_unit_could_have_is_not_found_without_asking_the_store(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    page = read_page(response)
    assert response.status_code == 404 and page.heading == "Sorry, we cannot show that"
    assert "with that code" in page.main


def test_blank_parameters_mean_the_defaults(client: TestClient) -> None:
    blank = client.get("/team/T1/overview?sort=&order=&as_of=&page=&download=&signal=")
    assert blank.status_code == 200
    assert body_rows(blank.text) == body_rows(client.get("/team/T1/overview").text)
