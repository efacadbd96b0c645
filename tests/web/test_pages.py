"""The read-only pages, driven in process over the real application and store."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import html
from tests.case_folders import VALID_FILES, write_folder
from tests.web.sessions import PASSWORD, read_page, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store
from wmt.web.common import capacity_band


def body_rows(page: html.Markup, which: str | int = 0) -> list[str]:
    """The rows of a table's body, each as the text a person reads across it."""
    return [" ".join(cells) for cells in html.table_rows(page, which)]


def signals_summary(page: html.Markup) -> dict[str, str]:
    """The overview's count of each signal (the summary list after the heading "Signals")."""
    return html.summary_list(page, 1)


def csv_rows(response: object) -> list[list[str]]:
    """The rows of a CSV download, its header left out."""
    content = getattr(response, "content", b"")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]


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
    national = client.get("/national/national/overview")
    assert html.summary_list(national)["Capacity"].startswith("14.1 % under 90 %")
    assert [row[0] for row in html.table_rows(national)] == ["North"]
    assert "/pdu/P1/overview" in html.hrefs(client.get("/region/R1/overview"))
    assert "/team/T1/overview" in html.hrefs(client.get("/pdu/P1/overview"))
    team = client.get("/team/T1/overview")
    assert team.status_code == 200
    assert "/practitioner/S1/overview" in html.hrefs(html.table(team))
    assert html.summary_list(team)["Capacity"].startswith("17.8 % under 90 %")


def test_the_practitioner_page_explains_the_figure(client: TestClient) -> None:
    page = html.parse(client.get("/practitioner/S3/overview"))
    assert html.headings(page)[0] == "Cara Davies"
    time = [p.text for p in html.main(page).find_all("p") if "contracted for" in p.text]
    assert len(time) == 1
    assert "contracted for 37.00 hours, less 22.20 hours of reductions" in time[0]
    assert "2,176 × 14.80 ÷ 37, rounded down, is 870 points" in time[0]
    reductions = html.table_rows(page, "Reductions in team T2")
    assert [row[0] for row in reductions if row[4] == "Active"] == ["PQiP 6 to 12 months"]
    # Every reduction is listed with its status; only the active one took hours off above.
    assert ["PQiP first 6 months", "2026-03-01", "2026-09-01", "29.60", "Archived"] in [
        row[:5] for row in reductions
    ]


def test_children_are_sortable(client: TestClient) -> None:
    def order(query: str) -> list[str]:
        table = html.table(client.get(f"/team/T1/overview?{query}")).one("tbody")
        return [link.get("href") for link in table.find_all("a")]

    s1, s2 = "/practitioner/S1/overview", "/practitioner/S2/overview"
    assert order("sort=capacity_percent&order=ascending") == [s2, s1]
    assert order("sort=capacity_percent&order=descending") == [s1, s2]


def test_tables_download_as_csv_and_as_a_real_workbook(client: TestClient) -> None:
    download = client.get("/team/T1/overview?download=csv")
    assert download.headers["content-disposition"] == (
        'attachment; filename="team-T1-practitioners-2026-11-20.csv"'
    )
    header = next(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert header[:2] == ["staff_code", "team_code"]
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
    assert "There is no team 'NOWHERE'" in html.page_text(response)
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
    rows = {row[0]: row[1:] for row in csv_rows(client.get("/team/T1/caseload?download=csv"))}
    # community, custody, licence, t2a, total: S1 holds A3 community, B2 licence, a C1 T2A
    # custody case; S2 a D2 community case.
    assert rows["A3"] == ["1", "0", "0", "0", "1"]
    assert rows["B2"] == ["0", "0", "1", "0", "1"]
    assert rows["C1"] == ["0", "0", "0", "1", "1"]
    assert rows["D2"] == ["1", "0", "0", "0", "1"]
    practitioner = csv_rows(client.get("/practitioner/S3/caseload?download=csv"))
    assert ["B1S", "0", "0", "1", "0", "1"] in practitioner


def test_history_signals_and_quality_pages(client: TestClient) -> None:
    history = body_rows(client.get("/practitioner/S1/history"))
    assert len(history) == 1
    assert history[0].startswith("2026-11-20") and "21.0 % under 90 %" in history[0]
    signals = client.get("/pdu/P1/signals")
    assert signals.status_code == 200
    assert "Snapshot gap" in [row[0] for row in html.table_rows(signals)]
    quality = body_rows(client.get("/team/T2/quality"))
    assert [row for row in quality if "unallocated cases" in row]
    assert client.get("/practitioner/S1/quality").status_code == 404


def test_capacity_bands_are_named_in_words_not_colour_alone(client: TestClient) -> None:
    page = html.parse(client.get("/team/T1/overview"))
    assert "21.0 % under 90 %" in [row[5] for row in html.table_rows(page)]
    key = [p.text for p in page.find_all("p") if p.text.startswith("Capacity is shaded")]
    assert key == [
        "Capacity is shaded and named by band: under 90 %, 90 to 110 %, over 110 %, over 120 %."
    ]


def test_history_is_drawn_as_a_line_chart_with_a_text_alternative(weeks: TestClient) -> None:
    page = html.parse(weeks.get("/team/T1/history"))
    svg = html.main(page).one("svg")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-title chart-summary"
    assert svg.by_id("chart-title").tag == "title"
    [line] = [path.get("d") for path in svg.find_all("path") if path.get("fill") == "none"]
    assert line.startswith("M") and line.count("L") == 3  # four snapshots joined
    assert len(svg.find_all("circle")) == 4
    labels = [label.text for label in svg.find_all("text")]
    for label in ("30 Oct 2026", "20 Nov 2026", "0 %", "110 %", "90–110 %"):
        assert label in labels
    assert page.by_id("chart-summary").text.startswith(
        "Team T1: 4 snapshots from 30 Oct 2026 to 20 Nov 2026; 200.9 % at first, "
        "207.2 % at last, highest 207.2 % on 20 Nov 2026."
    )
    # The same figures follow as a table.
    rows = body_rows(page)
    assert [row.split()[0] for row in rows] == list(WEEKS)
    assert rows[-1].endswith("207.2 % over 120 %")


def test_a_single_snapshot_is_one_point(client: TestClient) -> None:
    page = html.parse(client.get("/practitioner/S1/history"))
    svg = html.main(page).one("svg")
    assert svg.get("role") == "img" and len(svg.find_all("circle")) == 1
    summary = page.one("figcaption").text
    assert summary.startswith("Practitioner S1: 21.0 % on 20 Nov 2026, one snapshot.")


def test_the_date_form_chooses_the_period_and_its_download(weeks: TestClient) -> None:
    query = "from-day=6&from-month=11&from-year=2026&to-day=13&to-month=11&to-year=2026"
    page = weeks.get(f"/team/T1/history?{query}")
    assert page.status_code == 200
    assert [row[0] for row in html.table_rows(page)] == ["2026-11-06", "2026-11-13"]
    assert html.fields(page)["from-day"] == "6"
    assert (
        html.parse(page)
        .one("figcaption")
        .text.startswith("Team T1: 2 snapshots from 6 Nov 2026 to 13 Nov 2026;")
    )
    [link] = [href for text, href in html.links(page) if text == "CSV"]
    assert link.startswith("?") and "download=csv" in link
    file = weeks.get("/team/T1/history" + link)
    assert file.headers["content-disposition"] == (
        'attachment; filename="team-T1-history-2026-11-06-to-2026-11-13.csv"'
    )
    assert [row[0] for row in csv_rows(file)] == ["2026-11-06", "2026-11-13"]
    # Dates in the address, as YYYY-MM-DD, do the same.
    short = weeks.get("/team/T1/history?from=2026-11-13")
    assert [row[0] for row in html.table_rows(short)] == ["2026-11-13", "2026-11-20"]


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
    page = html.parse(response)
    assert page.one("title").text.startswith("Error: ")
    assert page.one(css_class="govuk-error-summary__title").text == "There is a problem"
    assert html.error_links(page) == [(message, f"#{target}")]
    field = html.field_errors(page)
    assert list(field.values()) == [message]  # by the field, too
    wrong = [i for i in page.find_all("input") if "govuk-input--error" in i.classes]
    assert target in [i.get("id") for i in wrong]
    assert html.main(page).find("svg") is None
    assert client.get(f"/team/T1/history?{query}&download=csv").status_code == 400


def test_a_period_without_snapshots_says_so(client: TestClient) -> None:
    response = client.get("/team/T1/history?from=2027-01-01")
    assert response.status_code == 200
    assert "There are no figures for team T1 from 2027-01-01." in [
        p.text for p in html.main(response).find_all("p")
    ]


def test_the_overview_summarises_the_units_signals(weeks: TestClient) -> None:
    page = weeks.get("/team/T1/overview")
    summary = signals_summary(page)
    assert summary["Sustained overload"] == "1 practitioner"
    assert summary["Severe overload"] == "1 practitioner"
    assert summary["Team imbalance"] == "1 team"
    assert "Snapshot gap" not in summary  # weekly snapshots leave no gap
    view = ("View sustained overload", "/team/T1/signals?signal=sustained%20overload")
    assert view in html.links(page)
    only = weeks.get("/team/T1/signals?signal=sustained%20overload")
    assert "Only Sustained overload is shown. Show every signal" in [
        p.text for p in html.main(only).find_all("p")
    ]
    rows = body_rows(only)
    assert len(rows) == 1 and rows[0].startswith("Sustained overload S2 T1")


def test_each_child_shows_its_own_signals(weeks: TestClient) -> None:
    team = {row[0]: row[-1] for row in html.table_rows(weeks.get("/team/T1/overview"))}
    assert team["Ben Carter"] == "Sustained overload Severe overload Caseload unreasonable"
    assert team["Ada Brown"] == "None"
    pdu = {row[0]: row[-1] for row in html.table_rows(weeks.get("/pdu/P1/overview"))}
    assert pdu == {
        "Tyneside Team 1": (
            "1 sustained overload 1 severe overload 1 caseload unreasonable 1 team imbalance"
        ),
        "Tyneside Team 2": "None",
    }
    (region,) = html.table_rows(weeks.get("/region/R1/overview"))
    assert region[0].startswith("Tyneside") and "1 sustained overload" in region[-1]


def test_a_snapshot_gap_is_summarised_for_every_unit(client: TestClient) -> None:
    summary = signals_summary(client.get("/national/national/overview"))
    assert summary["Snapshot gap"] == "1 gap between snapshots"


def test_signals_on_the_overview_stay_within_scope(
    weeks: TestClient, app: FastAPI, store: Store
) -> None:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T2")
    with TestClient(app, base_url="https://testserver") as manager:
        signed_in(manager, "manager")
        page = html.parse(manager.get("/team/T2/overview"))
        assert "No signals on 2026-11-20." in [p.text for p in page.find_all("p")]
        words = html.main(page).text.split()
        assert "S2" not in words and "Carter" not in words
        assert [row[0] for row in html.table_rows(page)] == ["Cara Davies"]
        assert not [href for href in html.hrefs(page) if "S2" in href or "/T1" in href]
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
    first = html.parse(client.get("/pdu/P1/signals?as_of=2026-11-20"))
    assert len(html.table_rows(first)) == 100
    assert first.by_id("rows-shown").text == f"Showing rows 1 to 100 of {total:,}."
    pages = first.one("nav", css_class="govuk-pagination")
    assert [(a.get("rel"), a.get("href")) for a in pages.find_all("a") if a.get("rel")] == [
        ("next", "?as_of=2026-11-20&page=2")
    ]
    [current] = [a for a in pages.find_all("a") if a.get("aria-current") == "page"]
    assert current.get("aria-label") == "Page 1"
    last = (total + 99) // 100
    final = client.get(f"/pdu/P1/signals?as_of=2026-11-20&page={last}")
    assert len(html.table_rows(final)) == total - 100 * (last - 1)
    rels = [a.get("rel") for a in html.parse(final).one("nav", css_class="govuk-pagination")
            .find_all("a")]  # fmt: skip
    assert "prev" in rels and "next" not in rels
    # The pages together hold every row, once.
    shown = [
        row
        for n in range(1, last + 1)
        for row in body_rows(client.get(f"/pdu/P1/signals?page={n}"))
    ]
    assert len(shown) == total and len(set(shown)) == total
    # Past the last page (a link kept from when the table was longer): the last page.
    assert body_rows(client.get("/pdu/P1/signals?page=999")) == body_rows(final)
    assert body_rows(client.get(f"/pdu/P1/signals?page={2**31 - 1}")) == body_rows(final)
    # Downloads hold every row whatever the page.
    [link] = [href for text, href in html.links(final) if text == "CSV"]
    assert "download=csv" in link and "page=" not in link
    assert len(csv_rows(client.get("/pdu/P1/signals" + link))) == total


def test_a_short_table_has_no_pagination(client: TestClient) -> None:
    page = html.parse(client.get("/team/T2/quality"))
    assert html.table_rows(page)  # a table, but only one page of it
    assert page.find(css_class="govuk-pagination") is None
    assert "Showing rows" not in html.main(page).text


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
    assert body_rows(blank) == body_rows(client.get("/team/T1/overview"))
