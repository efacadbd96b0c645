"""Who may be given which case: the versions of the eligibility rules, read by anyone signed
in and added by administrators, each in force from its date.

The reference defaults are an assumption (no public table of grade against tier and risk
exists): each service reviews them and keeps its own as a new version.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from wmt.domain.access import Role, Viewer
from wmt.domain.cases import SUPERVISED_TIERS, SUSPENDED_TIERS, UNTIERED
from wmt.domain.eligibility import EligibilityRules, from_document, to_document
from wmt.domain.grades import Grade
from wmt.errors import InputRejected, NotFound
from wmt.services.audit import Written, write_audited
from wmt.services.listing import field_names
from wmt.services.points import effective_from_problem, read_settings_file
from wmt.services.saving import NotPermitted
from wmt.store import eligibility_versions
from wmt.store.eligibility_versions import RulesVersion
from wmt.store.transactions import Store

ONLY_ADMINISTRATORS = "Only administrators can change the eligibility rules."
NO_NEW_CASES = "no new cases"
# Each family of tiers is described in runs of its own: `C3 to D0, C3S to D0S, untiered`.
_TIER_FAMILIES = (SUPERVISED_TIERS, SUSPENDED_TIERS, (UNTIERED,))


@dataclass(frozen=True)
class GradeRow:
    """What one grade may be given, as people read it."""

    grade: str
    tiers: str  # `A3 to D0, A3S to D0S, untiered`, or `no new cases`
    highest_rosh: str  # blank for a grade that takes no new cases


GRADE_COLUMNS = field_names(GradeRow)


def describe_tiers(tiers: Collection[str]) -> str:
    """The tiers as runs in the model's order, such as `B3 to D0, B3S to D0S, untiered`."""
    runs: list[str] = []
    for family in _TIER_FAMILIES:
        for taken, run in groupby(family, key=lambda tier: tier in tiers):
            names = list(run)
            if taken:
                runs.append(names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}")
    return ", ".join(runs)


def grade_rows(rules: EligibilityRules) -> list[GradeRow]:
    """Every grade, in the domain's order, with the tiers it may be given and the highest ROSH."""
    rows = []
    for grade in Grade:
        rule = rules.grades.get(grade)
        if rule is None or not rules.takes_new_cases(grade):
            rows.append(GradeRow(grade.value, NO_NEW_CASES, ""))
        else:
            rows.append(GradeRow(grade.value, describe_tiers(rule.tiers), rule.highest_rosh.value))
    return rows


def rules_document(version: RulesVersion) -> dict[str, Any]:
    """A version as a file `wmt eligibility set` loads: its date, then the rules."""
    return {"effective_from": version.effective_from.isoformat(), **to_document(version.rules)}


# Reading: anyone signed in. The person asking is taken, as by every reading use case, though
# the rules are the same for everyone.


def version_in_force(store: Store, viewer: Viewer, on: date | None = None) -> RulesVersion:
    """The version in force on a date (today by default); the reference defaults before any."""
    with store.reading() as connection:
        return eligibility_versions.version_in_force(connection, on or date.today())


def rules_versions(store: Store, viewer: Viewer) -> list[RulesVersion]:
    """Every stored version, the newest effective date first."""
    with store.reading() as connection:
        return eligibility_versions.list_versions(connection)


def rules_version(store: Store, viewer: Viewer, version_id: int) -> RulesVersion:
    """One stored version; NotFound if there is none with this number."""
    with store.reading() as connection:
        version = eligibility_versions.version_by_id(connection, version_id)
    if version is None:
        raise NotFound(f"There is no version {version_id} of the eligibility rules.")
    return version


# Changing: administrators only.


def _settings(rules: EligibilityRules) -> dict[str, str]:
    """Every grade's rule as the audit log keeps it: `PSO.tiers`, `PSO.highest_rosh`."""
    settings: dict[str, str] = {}
    for row in grade_rows(rules):
        settings[f"{row.grade}.tiers"] = row.tiers
        settings[f"{row.grade}.highest_rosh"] = row.highest_rosh
    return settings


@dataclass(frozen=True)
class NewRulesVersion:
    """A version of the rules from a document, in force from a date (one with the same date
    is replaced); refused whole, writing nothing, if anything in it is wrong."""

    document: Mapping[str, Any]
    effective_from: date
    source: str

    def write(self, connection: Connection, username: str) -> Written:
        rules = from_document(self.document, source=self.source)
        problem = effective_from_problem(self.effective_from)
        if problem is not None:
            raise InputRejected(self.source, [f"effective_from: {problem}"])
        previous = eligibility_versions.version_in_force(connection, self.effective_from)
        version_id = eligibility_versions.save_version(
            connection, rules, self.effective_from, source=self.source, created_by=username
        )
        return Written(
            "add eligibility version",
            f"eligibility rules in force from {self.effective_from.isoformat()}",
            {"effective_from": previous.effective_from, **_settings(previous.rules)},
            {"effective_from": self.effective_from, **_settings(rules)},
            version_id,
        )


def add_rules_version(
    store: Store, viewer: Viewer, document: Mapping[str, Any], effective_from: date, source: str
) -> int:
    """Save a version for an administrator, with its audit event, in one transaction; its id.

    NotPermitted for anyone else; InputRejected, naming each grade and setting that is wrong,
    if the document or the date is. Nothing is saved when either is refused.
    """
    if viewer.role is not Role.ADMIN:
        raise NotPermitted(ONLY_ADMINISTRATORS)
    with store.writing() as connection:
        written = write_audited(
            connection, viewer.username, NewRulesVersion(document, effective_from, source)
        )
    assert written.record_id is not None  # a version saved always has its number
    return written.record_id


def read_rules_file(path: Path) -> dict[str, Any]:
    """A rules document from a JSON (or TOML) file, as `wmt eligibility show` prints one."""
    return read_settings_file(path)
