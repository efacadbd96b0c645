"""The allocation pages: a unit's queue of cases waiting for a practitioner, and who could
take a case (a queued one, or a kind of case where the snapshot gives only counts).

The queue sorts on any column (tiers from A3 down to D0S, the highest first when ascending)
and filters by tier, type, risk of serious harm and days waiting, all kept in the address so
a link or a bookmark shows the same list. The services decide who may see what and who may
allocate; these pages only show it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from wmt.domain import entries
from wmt.domain.cases import SCORED_TIERS, CaseType, Rosh
from wmt.domain.eligibility import ROSH_ORDER, NotEligible
from wmt.domain.hierarchy import Level, check_level
from wmt.services.allocation_candidates import (
    Candidate,
    Candidates,
    candidates_for_case,
    candidates_for_kind,
)
from wmt.services.allocation_queue import (
    QUEUE_COLUMNS,
    QUEUE_LEVELS,
    AllocationQueue,
    QueuedCase,
    queue,
)
from wmt.web.common import as_of_of, download, level_label, page, reader, viewer_of
from wmt.web.consistency import store_of
from wmt.web.forms import address_code
from wmt.web.pages import WrongParameter, query_string

router = APIRouter()

QUEUE_HEADINGS = {
    "crn": "CRN",
    "team_code": "Team",
    "case_type": "Type",
    "tier": "Tier",
    "rosh": "ROSH",
    "sentence_date": "Sentence date",
    "waiting_days": "Days waiting",
    "points": "Points",
    "previous_staff_code": "Previous practitioner",
}
DEFAULT_SORT = "waiting_days"
ORDERS = ("ascending", "descending")
DOWNLOADS = ("csv", "xlsx")
TIER_RANK = {tier: rank for rank, tier in enumerate(SCORED_TIERS)}  # A3 first, D0S last
ROSH_RANK = {rosh.value: rank for rank, rosh in enumerate(ROSH_ORDER)}
CASE_TYPES = tuple(case_type.value for case_type in CaseType)
ROSH_LEVELS = tuple(rosh.value for rosh in Rosh)
# Levels whose queue lists cases; above them the page gives counts by tier and type only.
LISTING_LEVELS = (Level.TEAM, Level.PDU)
WHY_NOT = {
    NotEligible.LEFT.value: "Has left",
    NotEligible.GRADE.value: "Their grade is not given cases of this tier",
    NotEligible.RISK.value: "The risk of serious harm is above what their grade holds",
    NotEligible.NO_AVAILABLE_TIME.value: "No available points",
}


def _sort_key(column: str) -> Callable[[QueuedCase], Any]:
    """How a column sorts: tiers and risk by their rank, the rest by value."""
    if column == "tier":
        return lambda case: TIER_RANK.get(case.tier, len(TIER_RANK))
    if column == "rosh":
        return lambda case: ROSH_RANK.get(case.rosh or "", -1)
    return lambda case: getattr(case, column)


@dataclass(frozen=True)
class QueueFilters:
    """What the person narrowed the queue to; None: every value."""

    tier: str | None = None
    case_type: str | None = None
    rosh: str | None = None
    least_days: int | None = None  # waiting at least this many days

    def keeps(self, case: QueuedCase) -> bool:
        return (
            (self.tier is None or case.tier == self.tier)
            and (self.case_type is None or case.case_type == self.case_type)
            and (self.rosh is None or case.rosh == self.rosh)
            and (self.least_days is None or case.waiting_days >= self.least_days)
        )

    @property
    def any(self) -> bool:
        return any(value is not None for value in vars(self).values())


def _choice(params: Mapping[str, str], name: str, choices: Sequence[str]) -> str | None:
    value = params.get(name, "")
    if not value:
        return None
    if value not in choices:
        shown = ", ".join(choices)
        raise WrongParameter(
            f"{name} must be one of: {shown}. Change the web address and try again."
        )
    return value


def queue_filters(params: Mapping[str, str]) -> QueueFilters:
    """The filters in the address, each one the page offers (WrongParameter if not)."""
    least = params.get("least_days", "")
    try:
        days = entries.whole_number(least, "the days waiting", least=0) if least else None
    except entries.EntryRefused as refused:
        raise WrongParameter(f"{refused}. Change the web address and try again.") from None
    return QueueFilters(
        tier=_choice(params, "tier", SCORED_TIERS),
        case_type=_choice(params, "case_type", CASE_TYPES),
        rosh=_choice(params, "rosh", ROSH_LEVELS),
        least_days=None if days is None else int(days),
    )


def sort_asked(params: Mapping[str, str]) -> tuple[str, str]:
    """The column and order asked for: longest waiting first unless the address says."""
    key = _choice(params, "sort", QUEUE_COLUMNS) or DEFAULT_SORT
    order = _choice(params, "order", ORDERS) or (
        "descending" if key == DEFAULT_SORT else "ascending"
    )
    return key, order


def sorted_queue(cases: Sequence[QueuedCase], key: str, order: str) -> list[QueuedCase]:
    """The cases in that order, those without a value in the column last, ties by CRN."""
    by_crn = sorted(cases, key=lambda case: case.crn)
    present = [case for case in by_crn if getattr(case, key) is not None]
    missing = [case for case in by_crn if getattr(case, key) is None]
    present.sort(key=_sort_key(key), reverse=order == "descending")
    return present + missing


def _unit_address(request: Request, level: str, code: str) -> tuple[Level, str, date | None]:
    viewer_of(request)  # sign-in comes first
    unit_level = check_level(level, QUEUE_LEVELS)
    return unit_level, address_code(code, level_label(level).lower()), as_of_of(request)


@router.get("/{level}/{code}/allocation", response_class=HTMLResponse)
def queue_page(request: Request, level: str, code: str) -> Response:
    unit_level, code, as_of = _unit_address(request, level, code)
    params = request.query_params
    filters = queue_filters(params)
    key, order = sort_asked(params)
    _choice(params, "download", DOWNLOADS)
    found = queue(store_of(request), reader(request, level, code), unit_level, code, as_of)
    rows = sorted_queue([case for case in found.cases if filters.keeps(case)], key, order)
    file = download(request, f"{level}-{code}-allocation-{found.as_of}", QUEUE_COLUMNS, rows)
    if file is not None:
        return file
    return page(
        request,
        "allocation_queue.html",
        {
            "found": found,
            "lists_cases": not found.counted_only and unit_level in LISTING_LEVELS,
            "rows": rows,
            "sort": key,
            "order": order,
            "filters": filters,
            "headings": QUEUE_HEADINGS,
            "sort_href": lambda column: _sort_href(params, column, key, order),
            "downloads": {kind: query_string(params, download=kind) for kind in ("csv", "xlsx")},
            "choices": {"tier": SCORED_TIERS, "case_type": CASE_TYPES, "rosh": ROSH_LEVELS},
            "kind_href": lambda count: _kind_href(found, count.tier, count.case_type),
            "level": level,
            "code": code,
        },
        found.as_of,
    )


def _sort_href(params: Mapping[str, str], column: str, key: str, order: str) -> str:
    """Sort by the column, ascending first; the other way if it is the sort already."""
    turned = "descending" if column == key and order == "ascending" else "ascending"
    return query_string(params, sort=column, order=turned, download=None)


def _kind_href(found: AllocationQueue, tier: str, case_type: str) -> str:
    address = f"/{found.level.value}/{found.unit_code}/allocation/candidates"
    return address + query_string({}, tier=tier, case_type=case_type, as_of=found.as_of)


@router.get("/{level}/{code}/allocation/candidates", response_class=HTMLResponse)
def kind_candidates_page(request: Request, level: str, code: str) -> Response:
    unit_level, code, as_of = _unit_address(request, level, code)
    params = request.query_params
    viewer = reader(request, level, code)
    found = candidates_for_kind(
        store_of(request),
        viewer,
        code,
        params.get("tier", ""),
        params.get("case_type", ""),
        as_of,
        level=unit_level,
    )
    title = f"Who could take a {found.case.case_type} case of tier {found.case.tier}"
    return _candidates_page(request, found, title, level, code)


@router.get("/allocation/cases/{crn}", response_class=HTMLResponse)
def case_candidates_page(request: Request, crn: str) -> Response:
    viewer = viewer_of(request)
    crn = address_code(crn, "case")
    found = candidates_for_case(store_of(request), viewer, crn, as_of_of(request))
    level, code = Level.TEAM.value, found.case.team_code or ""
    return _candidates_page(request, found, f"Who could take case {crn}", level, code)


def _candidates_page(
    request: Request, found: Candidates, title: str, level: str, code: str
) -> Response:
    eligible = [candidate for candidate in found.candidates if candidate.eligible]
    others = [candidate for candidate in found.candidates if not candidate.eligible]
    return page(
        request,
        "allocation_candidates.html",
        {
            "title": title,
            "found": found,
            "eligible": eligible,
            "others": others,
            "why_not": WHY_NOT,
            "level": level,
            "code": code,
            "allocate_href": lambda candidate: _allocate_href(found, candidate),
        },
        found.as_of,
    )


def _allocate_href(found: Candidates, candidate: Candidate) -> str | None:
    """Where the person confirms giving the case to the candidate, if they may allocate it."""
    if not found.may_allocate or found.case.crn is None:
        return None
    return f"/allocation/cases/{found.case.crn}/allocate" + query_string(
        {}, staff_code=candidate.staff_code, team_code=candidate.team_code
    )
