"""The plan pages: a suggested plan for a team's or PDU's queue, a suggested rebalance of its
caseloads, what if a practitioner leaves, and accepting a plan or rebalance.

The plan accepted is the plan shown: the page carries what it showed in one hidden field,
and accepting reads the rows back from it and never asks the optimiser again. A refusal
(someone allocated a case since, a rule broken) shows the same plan again, the boxes ticked
as they were, naming the case. The services decide who may accept; read-only roles see no
buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from wmt.domain import entries
from wmt.domain.clock import utc_now
from wmt.domain.hierarchy import LEVELS, Level, check_level
from wmt.errors import WmtError
from wmt.planning.plan import DEFAULT_CEILING
from wmt.planning.rebalance import DEFAULT_TARGET, Move
from wmt.services.allocating import Accepted
from wmt.services.allocation_plans import SuggestedPlan, UnitRebalance, rebalance_unit, suggest
from wmt.services.allocation_queue import queue
from wmt.services.allocation_what_if import what_if_leaves
from wmt.services.plan_acceptance import (
    PlannedAllocation,
    PlannedMove,
    accept_moves,
    accept_plan,
    may_accept,
)
from wmt.services.saving import EditConflict, InvalidInput
from wmt.web.common import check_csrf, csrf_token, level_label, page, reader, viewer_of
from wmt.web.consistency import store_of
from wmt.web.forms import Problems, address_code, read_date, read_form

router = APIRouter()

TIME_LIMIT = 10.0  # seconds the optimiser may take for a page: a person is waiting
LARGEST_PERCENT = 1000
STATUS_WORDS = {
    "optimal": "Optimal: no plan does better",
    "feasible": "The best found in the time limit",
}
UNREADABLE = "The plan could not be read from the form. Open the plan again and accept it there."


@dataclass(frozen=True)
class PlacementRow:
    crn: str
    tier: str
    case_type: str
    staff_code: str
    team_code: str
    points: Decimal
    capacity_before: Decimal
    capacity_after: Decimal  # once the whole plan is accepted


@dataclass(frozen=True)
class UnplacedRow:
    crn: str
    tier: str
    case_type: str
    points: Decimal
    reason: str


@dataclass(frozen=True)
class ShownPlan:
    """A plan as the page shows it, and as its form carries it back."""

    as_of: date
    status: str
    seconds: float
    max_capacity_after: Decimal | None
    lower_bound: Decimal | None
    shortfall_officers: Decimal
    rows: tuple[PlacementRow, ...]
    unplaced: tuple[UnplacedRow, ...]

    @property
    def unplaced_points(self) -> Decimal:
        return sum((row.points for row in self.unplaced), Decimal(0))


@dataclass(frozen=True)
class ShownRebalance:
    """A rebalance as the page shows it, and as its form carries it back."""

    as_of: date
    status: str
    seconds: float
    max_capacity_before: Decimal | None
    max_capacity_after: Decimal | None
    rows: tuple[Move, ...]


Shown = TypeVar("Shown", ShownPlan, ShownRebalance)


@dataclass(frozen=True)
class Choices:
    """What the person asked for (the figures in the address, or what a form carried back),
    what was wrong with it, and the plan or rebalance to show."""

    typed: Mapping[str, str]
    problems: Problems
    shown: ShownPlan | ShownRebalance | None = None


def _shown_plan(found: SuggestedPlan, kinds: Mapping[str, tuple[str, str]]) -> ShownPlan:
    plan = found.plan
    return ShownPlan(
        as_of=found.as_of,
        status=plan.status.value,
        seconds=round(plan.seconds, 1),
        max_capacity_after=plan.max_capacity_after,
        lower_bound=plan.lower_bound,
        shortfall_officers=plan.shortfall_officers,
        rows=tuple(
            PlacementRow(
                p.crn,
                *kinds[p.crn],
                p.staff_code,
                p.team_code,
                p.points,
                p.capacity_before,
                p.capacity_after,
            )
            for p in plan.allocations
        ),
        unplaced=tuple(
            UnplacedRow(u.crn, *kinds[u.crn], u.points, u.reason.value) for u in plan.unplaced
        ),
    )


def _shown_rebalance(found: UnitRebalance) -> ShownRebalance:
    moves = found.rebalance
    return ShownRebalance(
        as_of=found.as_of,
        status=moves.status.value,
        seconds=round(moves.seconds, 1),
        max_capacity_before=moves.max_capacity_before,
        max_capacity_after=moves.max_capacity_after,
        rows=moves.moves,
    )


def _percent(
    params: Mapping[str, str], problems: Problems, name: str, label: str, default: Decimal
) -> Decimal:
    """A whole percentage from 1 to 1,000 (the default if blank), or the default with the
    problem noted."""
    text = params.get(name, "").strip()
    try:
        value = entries.whole_number(text, label, least=1) if text else int(default)
    except entries.EntryRefused as refused:
        problems.add(name, str(refused))
        return default
    if value > LARGEST_PERCENT:
        problems.add(name, f"Enter {label} as a whole number from 1 to {LARGEST_PERCENT:,}")
    return Decimal(value)


def _max_moves(params: Mapping[str, str], problems: Problems) -> int | None:
    text = params.get("max_moves", "").strip()
    try:
        return entries.whole_number(text, "the most cases to move") if text else None
    except entries.EntryRefused as refused:
        problems.add("max_moves", str(refused))
        return None


def _unit(request: Request, level: str, code: str) -> tuple[Level, str]:
    viewer_of(request)  # sign-in comes first
    return check_level(level, LEVELS), address_code(code, level_label(level).lower())


def _context(request: Request, level: Level, code: str, choices: Choices) -> dict[str, Any]:
    shown = choices.shown
    allowed = shown is not None and may_accept(store_of(request), viewer_of(request), level, code)
    return {
        "level": level.value,
        "code": code,
        "typed": choices.typed,
        "problems": choices.problems,
        "shown": shown,
        "carried": "" if shown is None else TypeAdapter(type(shown)).dump_json(shown).decode(),
        "may_accept": allowed,
        "csrf": csrf_token(request),
        "status_words": STATUS_WORDS,
    }


def _show(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    shown = context["shown"]
    on = None if shown is None else shown.as_of
    return page(request, template, context, on, status_code=status_code)


# --- A plan for the queue ------------------------------------------------------------------


@router.get("/{level}/{code}/allocation/plan", response_class=HTMLResponse)
def plan_page(request: Request, level: str, code: str) -> Response:
    unit_level, code = _unit(request, level, code)
    viewer = reader(request, level, code)
    params = request.query_params
    problems = Problems()
    ceiling = _percent(params, problems, "ceiling", "the ceiling", DEFAULT_CEILING)
    if problems.items:
        choices = Choices(params, problems)
        context = _context(request, unit_level, code, choices)
        return _show(request, "allocation_plan.html", context, 400)
    store = store_of(request)
    most = None if params.get("allow_over") == "yes" else ceiling
    found = suggest(store, viewer, code, most, TIME_LIMIT, level=unit_level)
    waiting = queue(store, viewer, unit_level, code)
    kinds = {case.crn: (case.tier, case.case_type) for case in waiting.cases}
    choices = Choices(params, problems, _shown_plan(found, kinds))
    return _show(request, "allocation_plan.html", _context(request, unit_level, code, choices))


@router.post("/{level}/{code}/allocation/plan", response_class=HTMLResponse)
async def accept_plan_page(request: Request, level: str, code: str) -> Response:
    typed = await read_form(request)
    check_csrf(request, typed.get("csrf_token", ""))
    unit_level, code = _unit(request, level, code)
    shown = _carried(ShownPlan, typed)
    rows = [PlannedAllocation(r.crn, r.staff_code, r.team_code) for r in _chosen(typed, shown)]

    def accept() -> Accepted:
        return accept_plan(store_of(request), viewer_of(request), rows, within=(unit_level, code))

    return _accepting(
        request, unit_level, code, Choices(typed, Problems(), shown), accept,
        template="allocation_plan.html", done="allocated", then="allocation",
    )  # fmt: skip


# --- A rebalance of the caseloads ----------------------------------------------------------


@router.get("/{level}/{code}/allocation/rebalance", response_class=HTMLResponse)
def rebalance_page(request: Request, level: str, code: str) -> Response:
    unit_level, code = _unit(request, level, code)
    viewer = reader(request, level, code)
    params = request.query_params
    problems = Problems()
    target = _percent(params, problems, "target", "the target", DEFAULT_TARGET)
    most = _max_moves(params, problems)
    template = "allocation_rebalance.html"
    if problems.items:
        choices = Choices(params, problems)
        return _show(request, template, _context(request, unit_level, code, choices), 400)
    found = rebalance_unit(
        store_of(request), viewer, code, target, most, TIME_LIMIT, level=unit_level
    )
    choices = Choices(params, problems, _shown_rebalance(found))
    return _show(request, template, _context(request, unit_level, code, choices))


@router.post("/{level}/{code}/allocation/rebalance", response_class=HTMLResponse)
async def accept_rebalance_page(request: Request, level: str, code: str) -> Response:
    typed = await read_form(request)
    check_csrf(request, typed.get("csrf_token", ""))
    unit_level, code = _unit(request, level, code)
    shown = _carried(ShownRebalance, typed)
    moves = [
        PlannedMove(r.crn, r.from_staff_code, r.from_team_code, r.to_staff_code, r.to_team_code)
        for r in _chosen(typed, shown)
    ]

    def accept() -> Accepted:
        return accept_moves(store_of(request), viewer_of(request), moves, within=(unit_level, code))

    return _accepting(
        request, unit_level, code, Choices(typed, Problems(), shown), accept,
        template="allocation_rebalance.html", done="reallocated", then="overview",
    )  # fmt: skip


# --- Accepting -----------------------------------------------------------------------------


def _carried(kind: type[Shown], typed: Mapping[str, str]) -> Shown:
    """The plan the form showed, as it carried it back."""
    try:
        return TypeAdapter(kind).validate_json(typed.get("shown", ""))
    except ValidationError:
        raise WmtError(UNREADABLE) from None


def _chosen(typed: Mapping[str, str], shown: ShownPlan | ShownRebalance) -> Sequence[Any]:
    """Every row shown for "Accept all"; for "Accept selected", those ticked."""
    if typed.get("accept") == "all":
        return shown.rows
    return [row for number, row in enumerate(shown.rows) if typed.get(f"accept-{number}") == "yes"]


def _accepting(
    request: Request,
    level: Level,
    code: str,
    choices: Choices,
    accept: Callable[[], Accepted],
    *,
    template: str,
    done: str,
    then: str,
) -> Response:
    """Accept the rows; on a refusal, the plan again with the problem beside the row."""
    try:
        accepted: Accepted = accept()
    except InvalidInput as refused:
        _name_rows(choices, refused.errors)
        return _show(request, template, _context(request, level, code, choices), 400)
    except EditConflict as conflict:
        crn = str(conflict).split(" ", 1)[0].rstrip(":")
        _name_rows(choices, {crn: str(conflict)})
        return _show(request, template, _context(request, level, code, choices), 409)
    count = len(accepted.decisions)
    request.session["banner"] = f"{count} case{'' if count == 1 else 's'} {done}"
    return RedirectResponse(f"/{level.value}/{code}/{then}", status_code=303)


def _name_rows(choices: Choices, errors: Mapping[str, str]) -> None:
    """Each problem linked to the box of the case it names (the first box if none)."""
    rows: Sequence[PlacementRow | Move] = () if choices.shown is None else choices.shown.rows
    numbers = {row.crn: number for number, row in enumerate(rows)}
    for crn, message in errors.items():
        choices.problems.add(f"accept-{numbers.get(crn, 0)}", message)


# --- What if someone leaves ----------------------------------------------------------------


@router.get("/practitioner/{staff_code}/allocation/what-if-leave", response_class=HTMLResponse)
def what_if_leave_page(request: Request, staff_code: str) -> Response:
    viewer_of(request)  # sign-in comes first
    staff_code = address_code(staff_code, "practitioner")
    params = request.query_params
    team = address_code(params.get("team", ""), "team")
    viewer = reader(request, Level.TEAM, team)
    leaving = read_date(params, "from", "The leaving date")
    problems = Problems()
    if leaving.error:
        problems.add("from", leaving.error)
    found = None
    if not problems.items:
        from_date = leaving.value or utc_now().date()
        found = what_if_leaves(
            store_of(request), viewer, staff_code, team, from_date, time_limit=TIME_LIMIT
        )
    context = {
        "staff_code": staff_code,
        "team": team,
        "leaving": leaving,
        "problems": problems,
        "found": found,
        "status_words": STATUS_WORDS,
    }
    status_code = 400 if problems.items else 200
    on = None if found is None else found.as_of
    return page(request, "allocation_what_if.html", context, on, status_code=status_code)
