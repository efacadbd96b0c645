"""Who may be given a new case: the grade x tier x ROSH rules, and why someone may not.

The rules are data, like the points configuration: one version's values, the reference
defaults, a plain document form and the validation of an edited document. The defaults are
an assumption (no public table exists); a page that applies them says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wmt.domain.cases import SCORED_TIERS, SUPERVISED_TIERS, SUSPENDED_TIERS, UNTIERED, Rosh
from wmt.domain.grades import Grade
from wmt.errors import InputRejected

ROSH_ORDER: tuple[Rosh, ...] = tuple(Rosh)
ELIGIBLE_TIERS: tuple[str, ...] = (*SCORED_TIERS, UNTIERED)  # every tier a case can have


class NotEligible(StrEnum):
    """Why a practitioner may not be given a case, in the order they are checked."""

    LEFT = "left"  # leave date on or before the date
    GRADE = "grade"  # the grade takes no new cases, or not of this tier
    RISK = "risk"  # the case's ROSH is above what the grade may hold
    NO_AVAILABLE_TIME = "no available time"  # no available points


@dataclass(frozen=True)
class GradeRule:
    """The tiers one grade may be given, and the highest ROSH."""

    tiers: frozenset[str]
    highest_rosh: Rosh


@dataclass(frozen=True)
class EligibilityRules:
    """One version of the rules. A grade without a rule takes no new cases."""

    grades: Mapping[Grade, GradeRule] = field(default_factory=dict)

    def takes_new_cases(self, grade: Grade) -> bool:
        rule = self.grades.get(grade)
        return rule is not None and bool(rule.tiers)


_A_TIERS = {tier for tier in (*SUPERVISED_TIERS, *SUSPENDED_TIERS) if tier[0] == "A"}
_C3_TO_D0 = {tier for tier in (*SUPERVISED_TIERS, *SUSPENDED_TIERS) if tier[0] in "CD"}


def default_eligibility_rules() -> EligibilityRules:
    """The reference defaults (allocation.md): PO any case; PQiP no A tier and no very high
    ROSH; PSO tiers C3 to D0 (suspended or not) and untiered, ROSH low or medium; SPO and
    practitioners without a grade no new cases."""
    every_tier = frozenset(ELIGIBLE_TIERS)
    return EligibilityRules(
        grades={
            Grade.PO: GradeRule(every_tier, Rosh.VERY_HIGH),
            Grade.PQIP: GradeRule(every_tier - _A_TIERS, Rosh.HIGH),
            Grade.PSO: GradeRule(frozenset({*_C3_TO_D0, UNTIERED}), Rosh.MEDIUM),
        }
    )


def to_document(rules: EligibilityRules) -> dict[str, Any]:
    """The rules as plain values (JSON or TOML): grade -> tiers (in the model's order) and
    highest ROSH. Grades left out take no new cases."""
    return {
        "grades": {
            grade.value: {
                "tiers": [tier for tier in ELIGIBLE_TIERS if tier in rule.tiers],
                "highest_rosh": rule.highest_rosh.value,
            }
            for grade, rule in rules.grades.items()
        }
    }


def from_document(doc: Mapping[str, Any], source: str = "eligibility rules") -> EligibilityRules:
    """Build the rules from plain values, refusing them whole if anything is wrong."""
    problems: list[str] = []
    unknown = sorted(str(key) for key in doc if key != "grades")
    problems += [f"{key}: not a known setting" for key in unknown]
    grades = doc.get("grades")
    if not isinstance(grades, Mapping):
        problems.append("grades: missing (expected a table of grade -> rule)")
        grades = {}
    rules: dict[Grade, GradeRule] = {}
    for name, entry in grades.items():
        grade = _grade(str(name))
        if grade is None:
            names = ", ".join(g.value for g in Grade)
            problems.append(f"grades.{name}: not a grade; expected one of {names}")
            continue
        rule = _grade_rule(entry, f"grades.{name}", problems)
        if rule is not None:
            rules[grade] = rule
    if problems:
        raise InputRejected(source, problems)
    return EligibilityRules(grades=rules)


def _grade(name: str) -> Grade | None:
    return next((grade for grade in Grade if grade.value == name), None)


def _grade_rule(entry: object, path: str, problems: list[str]) -> GradeRule | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{path}: expected a table with tiers and highest_rosh")
        return None
    found = len(problems)
    problems += [
        f"{path}.{key}: not a known setting"
        for key in entry
        if key not in ("tiers", "highest_rosh")
    ]
    tiers = entry.get("tiers")
    if not isinstance(tiers, list) or not all(isinstance(tier, str) for tier in tiers):
        problems.append(f"{path}.tiers: expected a list of tiers such as A3, C2S or untiered")
        tiers = []
    problems += [
        f"{path}.tiers: {tier!r} is not a tier; expected A3 … D0, A3S … D0S or untiered"
        for tier in tiers
        if tier not in ELIGIBLE_TIERS
    ]
    repeated = sorted({tier for tier in tiers if tiers.count(tier) > 1})
    problems += [f"{path}.tiers: {tier} is listed more than once" for tier in repeated]
    rosh = entry.get("highest_rosh")
    levels = [level.value for level in ROSH_ORDER]
    if rosh not in levels:
        problems.append(
            f"{path}.highest_rosh: {rosh!r} is not valid; expected one of {', '.join(levels)}"
        )
    if len(problems) > found:
        return None
    return GradeRule(frozenset(tiers), Rosh(str(rosh)))
