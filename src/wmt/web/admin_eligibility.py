"""The eligibility rules: administrators' pages to read every version and add one, and the
rules in force for anyone signed in, in the JSON API.

The form is a grid of tick boxes, a grade to a column and a tier to a row, and a choice of the
highest ROSH for each grade: nothing to type but the date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from wmt.domain.access import Viewer
from wmt.domain.cases import Rosh
from wmt.domain.eligibility import ELIGIBLE_TIERS, EligibilityRules, to_document
from wmt.domain.grades import Grade
from wmt.errors import InputRejected
from wmt.services import eligibility
from wmt.store.eligibility_versions import RulesVersion
from wmt.web.admin_pages import (
    EFFECTIVE_FROM,
    Admin,
    done,
    number_in_address,
    page,
    read_effective_from,
)
from wmt.web.api import api_router, signed_in
from wmt.web.api_models import date_entry
from wmt.web.common import check_csrf
from wmt.web.consistency import store_of
from wmt.web.forms import DateField, Problems, date_field, read_form

router = APIRouter()
api = api_router()

SOURCE = "administration pages"
BLANK_DATE = "Enter the date these rules come into force"
GRADE_NAMES = {grade: "No grade" if grade is Grade.NONE else grade.value for grade in Grade}
ROSH_NAMES = {rosh: rosh.value.replace("_", " ").capitalize() for rosh in Rosh}
SETTING_NAMES = {"tiers": "tiers", "highest_rosh": "highest ROSH"}


def _box(grade: Grade, tier: str) -> str:
    """The name (and id) of the tick box for a grade being given a tier: `PQiP-B3`."""
    return f"{grade.value}-{tier}"


def _rosh_field(grade: Grade) -> str:
    return f"{grade.value}-highest_rosh"


@dataclass(frozen=True)
class RulesForm:
    """The rules as the form holds them: the boxes ticked and each grade's highest ROSH."""

    ticked: frozenset[str]
    highest_rosh: Mapping[Grade, str]

    @classmethod
    def of(cls, rules: EligibilityRules) -> RulesForm:
        """The form filled in with a version's rules."""
        ticked = {_box(grade, tier) for grade, rule in rules.grades.items() for tier in rule.tiers}
        rosh = {grade: rule.highest_rosh.value for grade, rule in rules.grades.items()}
        return cls(frozenset(ticked), rosh)

    @classmethod
    def typed(cls, typed: Mapping[str, str]) -> RulesForm:
        """The form as it was sent (boxes not on the form are left out)."""
        ticked = {_box(g, t) for g in Grade for t in ELIGIBLE_TIERS if typed.get(_box(g, t))}
        rosh = {grade: typed.get(_rosh_field(grade), "").strip() for grade in Grade}
        return cls(frozenset(ticked), rosh)

    def tiers(self, grade: Grade) -> list[str]:
        return [tier for tier in ELIGIBLE_TIERS if _box(grade, tier) in self.ticked]

    def document(self) -> dict[str, Any]:
        """The rules as a document: every grade given some tier (the others take no cases)."""
        return {
            "grades": {
                grade.value: {"tiers": tiers, "highest_rosh": self.highest_rosh.get(grade)}
                for grade in Grade
                if (tiers := self.tiers(grade))
            }
        }

    def without_rosh(self) -> list[Grade]:
        """The grades given some tier whose highest ROSH was not chosen."""
        return [g for g in Grade if self.tiers(g) and not self.highest_rosh.get(g)]


def _rules_form(
    request: Request,
    form: RulesForm,
    effective: DateField,
    in_force: RulesVersion,
    problems: Problems | None = None,
) -> Response:
    context = {
        "form": form,
        "effective": effective,
        "in_force": in_force,
        "grades": GRADE_NAMES,
        "tiers": ELIGIBLE_TIERS,
        "rosh_names": ROSH_NAMES,
        "problems": problems,
    }
    return page(request, "admin_eligibility_new.html", context, 400 if problems else 200)


def _rules_page(
    request: Request, viewer: Viewer, shown: RulesVersion, *, in_force: bool
) -> Response:
    context = {
        "shown": shown,
        "in_force": in_force,
        "rows": eligibility.grade_rows(shown.rules),
        "grades": {grade.value: name for grade, name in GRADE_NAMES.items()},
        "rosh_names": {rosh.value: name for rosh, name in ROSH_NAMES.items()},
        "versions": eligibility.rules_versions(store_of(request), viewer),
    }
    return page(request, "admin_eligibility.html", context)


@router.get("/eligibility", response_class=HTMLResponse)
def eligibility_rules(request: Request, viewer: Admin) -> Response:
    shown = eligibility.version_in_force(store_of(request), viewer)
    return _rules_page(request, viewer, shown, in_force=True)


@router.get("/eligibility/new", response_class=HTMLResponse)
def new_eligibility_version(request: Request, viewer: Admin) -> Response:
    in_force = eligibility.version_in_force(store_of(request), viewer)
    effective = date_field("effective_from", EFFECTIVE_FROM, None)
    return _rules_form(request, RulesForm.of(in_force.rules), effective, in_force)


def _problem_of(problem: str) -> tuple[str, str]:
    """The field a problem the rules' validation found is about, and what to say:
    `grades.PQiP.highest_rosh: 'x' is not valid…` -> (`PQiP-highest_rosh`, `PQiP highest ROSH:
    'x' is not valid…`)."""
    place, _, message = problem.partition(": ")
    grades = {grade.value: grade for grade in Grade}
    match place.split("."):
        case ["grades", name, "highest_rosh"] if name in grades:
            field = _rosh_field(grades[name])
        case ["grades", name, "tiers"] if name in grades:
            field = _box(grades[name], ELIGIBLE_TIERS[0])
        case _:
            return "rules", problem  # the grid as a whole
    setting = SETTING_NAMES[place.rsplit(".", 1)[1]]
    return field, f"{GRADE_NAMES[grades[name]]} {setting}: {message}"


@router.post("/eligibility/new", response_class=HTMLResponse)
async def add_eligibility_version(request: Request, viewer: Admin) -> Response:
    typed = await read_form(request)
    check_csrf(request, typed.get("csrf_token", ""))
    form = RulesForm.typed(typed)
    problems = Problems()
    effective = read_effective_from(typed, problems, BLANK_DATE)
    for grade in form.without_rosh():
        problems.add(
            _rosh_field(grade),
            f"Choose the highest ROSH a {GRADE_NAMES[grade]} may be given, or untick their tiers",
        )
    store = store_of(request)
    if not problems.items and effective.value is not None:
        try:
            version_id = eligibility.add_rules_version(
                store, viewer, form.document(), effective.value, SOURCE
            )
        except InputRejected as rejected:
            for problem in rejected.problems:
                problems.add(*_problem_of(problem))
    if problems.items or effective.value is None:
        in_force = eligibility.version_in_force(store, viewer)
        return _rules_form(request, form, effective, in_force, problems)
    return done(
        request,
        f"Version {version_id} of the eligibility rules is in force from "
        f"{effective.value.isoformat()}.",
        f"/admin/eligibility/{version_id}",
    )


@router.get("/eligibility/{version_id}", response_class=HTMLResponse)
def eligibility_version(request: Request, viewer: Admin, version_id: str) -> Response:
    number = number_in_address(version_id, "version of the eligibility rules")
    shown = eligibility.rules_version(store_of(request), viewer, number)
    return _rules_page(request, viewer, shown, in_force=False)


# The JSON API --------------------------------------------------------------------------------


class GradeRule(BaseModel):
    tiers: list[str] = Field(description="The tiers the grade may be given, A3 first")
    highest_rosh: Rosh = Field(description="The highest risk of serious harm it may hold")


class EligibilityInForce(BaseModel):
    """The rules in force on a date."""

    version: int | None = Field(
        description="The version's number; null for the reference defaults if none is stored"
    )
    effective_from: date = Field(description="The date the version came into force")
    source: str | None = Field(description="Where the version came from")
    grades: dict[Grade, GradeRule] = Field(
        description="What each grade may be given; a grade left out takes no new cases"
    )


On = Annotated[
    date | None,
    date_entry("The date", optional=True),
    Query(description="The date the rules are in force (YYYY-MM-DD); today when left out"),
]


@api.get(
    "/allocation/eligibility",
    response_model=EligibilityInForce,
    summary="Who may be given which case: the eligibility rules in force",
)
def eligibility_in_force(
    request: Request, viewer: Annotated[Viewer, Depends(signed_in)], as_of: On = None
) -> EligibilityInForce:
    version = eligibility.version_in_force(store_of(request), viewer, as_of)
    return EligibilityInForce(
        version=version.id,
        effective_from=version.effective_from,
        source=version.source,
        grades=to_document(version.rules)["grades"],
    )
