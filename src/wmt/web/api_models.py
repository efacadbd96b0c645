"""What the JSON API takes and gives: its field types, checked by the rules of entry, and the
models of its answers, each field described for the OpenAPI document.

A value the API takes from a person is read by the same rule the pages use
(wmt.domain.entries), so both give the same answer, in the same words, for the same value;
the rule is also written into the OpenAPI document as a pattern or range, so a client can
check before it sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from wmt.domain import entries
from wmt.domain.access import Role
from wmt.domain.figures import FIGURES, exact_text


def _exact_text(value: Decimal) -> str:
    return exact_text(value)


Exact = Annotated[
    Decimal,
    PlainSerializer(_exact_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "An exact decimal, as text, e.g. 17.8",
        }
    ),
]


def _moment_text(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# A moment as the store records it (UTC), written the RFC 3339 way with its zone, Z.
Moment = Annotated[
    datetime,
    PlainSerializer(_moment_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
            "description": "A moment in UTC, YYYY-MM-DDTHH:MM:SSZ",
        }
    ),
]


# --- Values a person sends ------------------------------------------------------------------

# Characters no code or text field takes (see entries.unsafe_character), for the patterns.
_PRINTED = "[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]"


@dataclass(frozen=True)
class Entry:
    """Marks a field as read by a rule of entry: `Annotated[date, Entry(...)]`.

    `rule` reads the text sent and raises entries.EntryRefused with what to send instead;
    that sentence becomes the field's error. `kind` is the JSON type the field takes (only
    that: a number sent for text is refused, not converted), and `schema` describes it.
    """

    rule: Callable[[str], Any]
    schema: dict[str, Any]
    kind: type = str
    optional: bool = False
    what: str = "text"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self.read)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if self.optional:
            return {"anyOf": [dict(self.schema), {"type": "null"}]}
        return dict(self.schema)

    def read(self, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, self.kind) or isinstance(value, bool):
            raise PydanticCustomError("entry_kind", "Send it as {what}", {"what": self.what})
        try:
            return self.rule(str(value))
        except entries.EntryRefused as refused:
            raise PydanticCustomError("entry", "{message}", {"message": str(refused)}) from None


def code_entry(label: str, *, optional: bool = False) -> Entry:
    schema = {"type": "string", "minLength": 1, "maxLength": entries.CODE_LENGTH}
    return Entry(
        lambda text: entries.code(text, label),
        schema | {"pattern": f"^{_PRINTED}+$"},
        optional=optional,
    )


def date_entry(label: str, *, optional: bool = False) -> Entry:
    schema = {"type": "string", "format": "date", "pattern": entries.DATE_PATTERN}
    return Entry(lambda text: entries.iso_date(text, label), schema, optional=optional)


def hours_entry(label: str) -> Entry:
    schema = {"type": "string", "pattern": entries.HOURS_PATTERN}
    return Entry(lambda text: entries.hours(text, label), schema)


def text_entry(
    label: str, most: int, *, line_breaks: bool = False, optional: bool = False
) -> Entry:
    def rule(text: str) -> str:
        return entries.plain_text(text, label, most=most, line_breaks=line_breaks)

    pattern = f"^({_PRINTED}|[\\n\\r])*$" if line_breaks else f"^{_PRINTED}*$"
    return Entry(rule, {"type": "string", "maxLength": most, "pattern": pattern}, optional=optional)


def number_entry(label: str, *, least: int, sent_as_text: bool = False) -> Entry:
    """A whole number: in a path or query it arrives as text, in a JSON body as a number."""
    schema = {"type": "integer", "minimum": least, "maximum": entries.LARGEST_WHOLE_NUMBER}
    return Entry(
        lambda text: entries.whole_number(text, label, least=least),
        schema,
        kind=str if sent_as_text else int,
        what="a whole number",
    )


class Problem(BaseModel):
    """Every refusal: one sentence saying what is wrong."""

    detail: str = Field(description="What went wrong, in words a person can act on.")


class FieldProblems(BaseModel):
    """A refusal of what was sent, field by field (422)."""

    detail: str = Field(description="Every problem, in one paragraph")
    errors: dict[str, str] = Field(
        description=(
            "Each field that is wrong (a parameter's or body field's name, or `body` for the "
            "body as a whole) and what to send instead, as the pages would say it"
        )
    )


# --- Answers --------------------------------------------------------------------------------


def figure(name: str) -> Any:
    """A field holding one of the workload figures, described as wmt.domain.figures does."""
    return Field(description=FIGURES[name].description)


class UnitRef(BaseModel):
    level: str = Field(description="national, region, pdu or team")
    code: str = Field(description="The unit's code")
    name: str = Field(description="The unit's name")


class Capacity(BaseModel):
    caseload: int = figure("caseload")
    total_points: int = figure("total_points")
    available_points: int = figure("available_points")
    remaining_points: int = figure("remaining_points")
    contracted_hours: Exact = figure("contracted_hours")
    reduction_hours: Exact = figure("reduction_hours")
    capacity_percent: Exact = figure("capacity_percent")


class PointsFrom(BaseModel):
    community_cases: int = figure("community_cases")
    custody_cases: int = figure("custody_cases")
    licence_cases: int = figure("licence_cases")
    t2a_cases: int = figure("t2a_cases")
    case_points: Exact = figure("case_points")
    t2a_points: Exact = figure("t2a_points")
    report_points: int = figure("report_points")
    contact_points: int = figure("contact_points")


class UnitKey(BaseModel):
    level: str = Field(description="national, region, pdu or team")
    unit_code: str = Field(description="The unit's code")
    unit_name: str = Field(description="The unit's name")
    parent_code: str | None = Field(description="The code of the unit it lies within")
    practitioners: int = figure("practitioners")
    unallocated_cases: int = figure("unallocated_cases")


class UnitRow(Capacity, UnitKey):
    """A unit's figures, as a row of its parent's table and download."""


class UnitSummary(PointsFrom, UnitRow):
    """A unit's own figures, with where its points come from."""


class PractitionerKey(BaseModel):
    staff_code: str = Field(description="The practitioner's nDelius staff code")
    team_code: str = Field(description="The team the figures are for")
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    forename: str | None = Field(description="Forename")
    surname: str | None = Field(description="Surname")


class PractitionerRow(PointsFrom, Capacity, PractitionerKey):
    """A practitioner's figures in one team, as a row of the team's table and download."""


class UnitOverview(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="national, region, pdu or team")
    code: str = Field(description="The unit's code")
    name: str = Field(description="The unit's name")
    within: list[UnitRef] = Field(description="The units above it, from national down")
    summary: UnitSummary = Field(description="The unit's own figures")
    child_level: str = Field(
        description="The level of the children: region, pdu, team or practitioner"
    )
    children: list[UnitRow] | list[PractitionerRow] = Field(
        description=(
            "The units (or, for a team, the practitioners) one level down that you may see, "
            "by code: the rows of the page's table and its download"
        )
    )


class PointsPart(BaseModel):
    part: Literal["cases", "t2a_cases", "court_reports", "case_management_support"] = Field(
        description="Where the points come from"
    )
    description: str = Field(description="The part as the practitioner's page words it")
    cases: int | None = Field(description="The cases scored, for the parts that score cases")
    points: Exact = Field(description="The part's points, before rounding the total")


class AvailableTime(BaseModel):
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    full_time_hours: Exact | None = Field(
        description="Contracted hours a week of a full-time practitioner of the grade"
    )
    nominal_target: int | None = Field(
        description="Points a full-time practitioner of the grade is expected to carry"
    )
    contracted_hours: Exact = Field(description="Their contracted hours a week")
    reduction_hours: Exact = Field(description="Hours a week of reductions in force")
    hours_available: Exact = Field(description="Contracted hours less reductions")
    available_points: int = Field(
        description="Nominal target × hours available ÷ full-time hours, rounded down"
    )


class PractitionerTeamFigure(BaseModel):
    team_code: str = Field(description="The team the figures are for")
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    caseload: int = Field(description="Cases held in the team")
    community_cases: int = Field(description="Community cases (orders) held")
    custody_cases: int = Field(description="Custody cases held")
    licence_cases: int = Field(description="Licence cases held")
    t2a_cases: int = Field(description="Young adult (T2A) cases held")
    points: list[PointsPart] = Field(description="Where the workload's points come from")
    total_points: int = Field(description="The parts' points added up, rounded to a whole number")
    time: AvailableTime = Field(description="How the hours become available points")
    available_points: int = Field(description="Points available: see time")
    remaining_points: int = Field(description="Available points less the workload")
    capacity_percent: Exact = Field(description="Total points ÷ available points, as a percentage")


class Reduction(BaseModel):
    team_code: str = Field(description="The team the reduction is recorded in")
    reason: str = Field(description="Why the hours are reduced, from the reduction reasons")
    start_date: date = Field(description="First day in force")
    end_date: date | None = Field(description="Last day in force; null when open-ended")
    hours: Exact = Field(description="Hours a week taken off")


class PractitionerOverview(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    staff_code: str = Field(description="The practitioner's nDelius staff code")
    forename: str | None = Field(description="Forename")
    surname: str | None = Field(description="Surname")
    within: list[UnitRef] = Field(description="National, region, PDU and team above them")
    teams: list[PractitionerTeamFigure] = Field(
        description="The figure explained, for each team they hold cases in"
    )
    reductions: list[Reduction] = Field(description="Reductions in force on the snapshot date")


class HistoryRow(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    unit_code: str = Field(description="The unit's code, or the practitioner's staff code")
    parent_code: str | None = Field(None, description="For a unit: the unit it lies within")
    team_code: str | None = Field(None, description="For a practitioner: the team")
    caseload: int = Field(description="Cases held")
    total_points: int = Field(description="The workload in points")
    available_points: int = Field(description="Points available")
    remaining_points: int = Field(description="Available points less the workload")
    capacity_percent: Exact = Field(description="Total points ÷ available points, as a percentage")


class History(BaseModel):
    level: str = Field(description="The level")
    code: str = Field(description="The unit's code, or the practitioner's staff code")
    rows: list[HistoryRow] = Field(
        description="One row per snapshot, oldest first (for a practitioner, per team)"
    )


class TierRow(BaseModel):
    tier: str = Field(description="The case's tier, e.g. A3 or B1S")
    community: int = Field(description="Community cases (not T2A)")
    custody: int = Field(description="Custody cases (not T2A)")
    licence: int = Field(description="Licence cases (not T2A)")
    t2a: int = Field(description="Young adult (T2A) cases of every type")
    total: int = Field(description="All cases of the tier")


class UnitRows(BaseModel):
    """A table of what a unit holds on a snapshot's date: the rows of its page."""

    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="The level")
    code: str = Field(description="The unit's code")


class Caseload(UnitRows):
    code: str = Field(description="The unit's code, or the practitioner's staff code")
    rows: list[TierRow] = Field(description="Cases held, tier by case type")


class SignalRow(BaseModel):
    signal: str = Field(description="What the signal is, e.g. sustained overload")
    staff_code: str | None = Field(description="The practitioner, if it is about one")
    team_code: str | None = Field(description="Their team")
    value: str | None = Field(description="The value that raised it, as text")
    threshold: str | None = Field(description="The threshold it crossed, as text")
    detail: str = Field(description="What it means")


class Signals(UnitRows):
    rows: list[SignalRow] = Field(description="Management signals within the unit")


class FindingRow(BaseModel):
    finding: str = Field(description="What is wrong with the data")
    staff_code: str | None = Field(description="The practitioner concerned, if any")
    team_code: str | None = Field(description="The team concerned, if any")
    crn: str | None = Field(description="The case reference number (CRN) concerned, if any")
    detail: str = Field(description="The finding in full")


class Quality(UnitRows):
    rows: list[FindingRow] = Field(description="Data quality findings within the unit")


class SnapshotInfo(BaseModel):
    as_of: date = Field(description="The date the snapshot describes; use it as ?as_of")
    source_format: str = Field(description="What was imported: ndelius or case-level")
    imported_at: Moment = Field(description="When it was imported")
    points_configuration_id: int = Field(description="The points configuration it was scored with")


class Snapshots(BaseModel):
    snapshots: list[SnapshotInfo] = Field(description="Every snapshot, oldest first")


class Me(BaseModel):
    username: str = Field(description="Who is signed in")
    role: Role = Field(description="Their role")
    scope_level: str = Field(description="The level of their scope")
    scope: str = Field(description="The staff, team, PDU or region code they may see, or national")
    home: str = Field(description="The API overview of their scope")
