"""Reading a points configuration from an edited document, checked against its valid ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wmt.domain.cases import SCORED_TIERS, CaseType
from wmt.domain.grades import SUPPORTED_GRADES, Grade
from wmt.domain.points import REPORT_TYPES, WEIGHTED_FLAGS, PointsConfiguration
from wmt.domain.thresholds import THRESHOLD_NAMES, THRESHOLD_RANGES, Thresholds
from wmt.errors import InputRejected


@dataclass(frozen=True)
class _Range:
    low: Decimal
    high: Decimal
    whole: bool

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number with at most 2 decimal places"
        return f"{kind} from {self.low} to {self.high}"


TIER_POINTS = _Range(Decimal(0), Decimal(999), whole=True)
WEIGHTING = _Range(Decimal(0), Decimal(100), whole=True)
NOMINAL_TARGET = _Range(Decimal(0), Decimal(9999), whole=True)
DEFAULT_HOURS = _Range(Decimal(0), Decimal("37.5"), whole=False)
REPORT_POINTS = TIER_POINTS
CONTACT_POINTS = TIER_POINTS
_CONTACT_CODE = re.compile(r"^[A-Z0-9_]{1,20}$")

SECTIONS = (
    "nominal_target",
    "default_contracted_hours",
    "case_points",
    "t2a_points",
    "report_points",
    "inactive_weighting",
    "contact_points",
    "thresholds",
)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def section(self, doc: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = doc.get(key)
        if not isinstance(value, Mapping):
            self.problems.append(f"{path}: missing (expected a table of values)")
            return {}
        return value

    def number(self, table: Mapping[str, Any], key: str, path: str, rng: _Range) -> Decimal:
        if key not in table:
            self.problems.append(f"{path}: missing; expected {rng.describe()}")
            return rng.low
        raw = table[key]
        value = _as_decimal(raw)
        ok = value is not None and rng.low <= value <= rng.high
        if ok and value is not None:
            places = -value.normalize().as_tuple().exponent  # type: ignore[operator]
            ok = places <= (0 if rng.whole else 2)
        if not ok or value is None:
            self.problems.append(f"{path}: {raw!r} is not valid; expected {rng.describe()}")
            return rng.low
        return value

    def unknown_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                self.problems.append(f"{path}.{key}: not a known setting")


def _as_decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        return None
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def _case_points(
    reader: _Reader, doc: Mapping[str, Any], name: str
) -> dict[CaseType, dict[str, int]]:
    section = reader.section(doc, name, name)
    reader.unknown_keys(section, tuple(ct.value for ct in CaseType), name)
    result: dict[CaseType, dict[str, int]] = {}
    for case_type in CaseType:
        path = f"{name}.{case_type.value}"
        row = reader.section(section, case_type.value, path)
        reader.unknown_keys(row, SCORED_TIERS, path)
        result[case_type] = {
            tier: int(reader.number(row, tier, f"{path}.{tier}", TIER_POINTS))
            for tier in SCORED_TIERS
        }
    return result


def from_document(
    doc: Mapping[str, Any], source: str = "points configuration"
) -> PointsConfiguration:
    """Build a configuration from nested values, refusing it whole if any value is out of range."""
    reader = _Reader()
    reader.unknown_keys(doc, SECTIONS, "configuration")
    grades = tuple(grade.value for grade in SUPPORTED_GRADES)

    targets = reader.section(doc, "nominal_target", "nominal_target")
    reader.unknown_keys(targets, grades, "nominal_target")
    hours = reader.section(doc, "default_contracted_hours", "default_contracted_hours")
    reader.unknown_keys(hours, grades, "default_contracted_hours")
    nominal_target: dict[Grade, int] = {}
    default_hours: dict[Grade, Decimal] = {}
    for grade in SUPPORTED_GRADES:
        nominal_target[grade] = int(
            reader.number(targets, grade.value, f"nominal_target.{grade.value}", NOMINAL_TARGET)
        )
        default_hours[grade] = reader.number(
            hours, grade.value, f"default_contracted_hours.{grade.value}", DEFAULT_HOURS
        )

    case_points = _case_points(reader, doc, "case_points")
    t2a_points = _case_points(reader, doc, "t2a_points")

    reports = reader.section(doc, "report_points", "report_points")
    reader.unknown_keys(reports, (*REPORT_TYPES, "parole_enabled"), "report_points")
    report_points = {
        kind: int(reader.number(reports, kind, f"report_points.{kind}", REPORT_POINTS))
        for kind in REPORT_TYPES
    }
    parole_enabled = reports.get("parole_enabled", False)
    if not isinstance(parole_enabled, bool):
        reader.problems.append(
            f"report_points.parole_enabled: {parole_enabled!r} is not valid; expected true or false"
        )
        parole_enabled = False

    weights = reader.section(doc, "inactive_weighting", "inactive_weighting")
    reader.unknown_keys(weights, WEIGHTED_FLAGS, "inactive_weighting")
    weighting = {
        flag: int(reader.number(weights, flag, f"inactive_weighting.{flag}", WEIGHTING))
        for flag in WEIGHTED_FLAGS
    }

    contacts = reader.section(doc, "contact_points", "contact_points")
    contact_points: dict[str, int] = {}
    for code in contacts:
        if not _CONTACT_CODE.match(str(code)):
            reader.problems.append(
                f"contact_points.{code}: not a valid contact code (capital letters and digits)"
            )
            continue
        contact_points[code] = int(
            reader.number(contacts, code, f"contact_points.{code}", CONTACT_POINTS)
        )

    thresholds = _thresholds(reader, doc)
    if reader.problems:
        raise InputRejected(source, reader.problems)
    return PointsConfiguration(
        case_points=case_points,
        t2a_points=t2a_points,
        report_points=report_points,
        parole_reports_enabled=parole_enabled,
        inactive_weighting=weighting,
        nominal_target=nominal_target,
        default_contracted_hours=default_hours,
        contact_points=contact_points,
        thresholds=thresholds,
    )


def _thresholds(reader: _Reader, doc: Mapping[str, Any]) -> Thresholds:
    """Optional: a document from before thresholds existed keeps the reference ones."""
    section = doc.get("thresholds")
    if section is None:
        return Thresholds()
    if not isinstance(section, Mapping):
        reader.problems.append("thresholds: expected a table of values")
        return Thresholds()
    reader.unknown_keys(section, THRESHOLD_NAMES, "thresholds")
    problems_before = len(reader.problems)
    defaults = Thresholds()
    values: dict[str, Any] = {}
    for name in THRESHOLD_NAMES:
        if name not in section:
            values[name] = getattr(defaults, name)
            continue
        low, high, whole = THRESHOLD_RANGES[name]
        value = reader.number(section, name, f"thresholds.{name}", _Range(low, high, whole))
        values[name] = int(value) if whole else value
    if len(reader.problems) == problems_before:  # a wrong value is reported once, alone
        _check_band_order(reader, values)
    return Thresholds(**values)


def _check_band_order(reader: _Reader, values: Mapping[str, Any]) -> None:
    """The capacity bands need their edges in order: under ≤ overload ≤ severe overload."""
    edges = [values[name] for name in _BAND_EDGES]
    if not edges[0] <= edges[1] <= edges[2]:
        reader.problems.append(
            "thresholds: underload_percent ({}), overload_percent ({}) and "
            "severe_overload_percent ({}) must each be at most the next".format(*edges)
        )


_BAND_EDGES = ("underload_percent", "overload_percent", "severe_overload_percent")
