"""Showing and loading versions of the points configuration."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import Connection, select

from wmt.domain.cases import SCORED_TIERS, CaseType
from wmt.domain.grades import SUPPORTED_GRADES
from wmt.domain.points import (
    REPORT_TYPES,
    WEIGHTED_FLAGS,
    CasePoints,
    PointsConfiguration,
    default_points_configuration,
    to_document,
)
from wmt.domain.points_document import from_document
from wmt.domain.thresholds import THRESHOLD_NAMES, Thresholds
from wmt.errors import InputRejected, NotFound, WmtError
from wmt.services.audit import record_change
from wmt.services.importing import recalculate
from wmt.store import points_versions, schema, snapshots
from wmt.store.points_versions import PointsVersion
from wmt.store.transactions import Store


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(repr(value))


def thresholds_on(store: Store, on: date) -> Thresholds:
    """The thresholds in force on a date: those of the points version in force then."""
    with store.reading() as connection:
        return points_versions.version_in_force(connection, on).configuration.thresholds


def show_points(store: Store, on: date | None, output_format: str) -> str:
    """The configuration in force on a date (today by default) as TOML or JSON."""
    with store.reading() as connection:
        version = points_versions.version_in_force(connection, on or date.today())
    document = to_document(version.configuration)
    if output_format == "json":
        payload = {"effective_from": version.effective_from.isoformat(), **document}
        return json.dumps(payload, indent=2, default=_json_default)
    header = (
        f"# Points configuration in force from {version.effective_from.isoformat()}.\n"
        "# Edit and load with: wmt points load FILE --effective-from YYYY-MM-DD\n\n"
    )
    return header + tomli_w.dumps(document)


def read_settings_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf8")
    except OSError as error:
        raise WmtError(f"Cannot read {path}: {error.strerror}") from error
    return read_settings_text(text, str(path), path.name, as_json=path.suffix.lower() == ".json")


def read_settings_text(
    text: str, source: str, name: str | None = None, *, as_json: bool = False
) -> dict[str, Any]:
    """A settings document (points or eligibility) from its TOML or JSON text; InputRejected
    if unreadable."""
    name = name or source
    try:
        if as_json:
            loaded = json.loads(text, parse_float=Decimal)
        else:
            loaded = tomllib.loads(text, parse_float=Decimal)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise InputRejected(source, [f"{name}: not valid TOML or JSON ({error})"]) from None
    except RecursionError:
        raise InputRejected(source, [f"{name}: lists or tables nested too deeply"]) from None
    if not isinstance(loaded, dict):
        raise InputRejected(source, [f"{name}: expected a table of settings"])
    loaded.pop("effective_from", None)  # as `points show` and `eligibility show` print it
    return loaded


def load_points(store: Store, path: Path, effective_from: date) -> tuple[int, int]:
    """Add a version from a file; recalculate snapshots it now applies to.

    Returns (version id, number of snapshots recalculated).
    """
    config = from_document(read_settings_file(path), source=str(path))
    with store.changing_snapshots() as connection:
        return _save_and_recalculate(connection, config, effective_from, str(path))


def _save_and_recalculate(
    connection: Connection, config: PointsConfiguration, effective_from: date, source: str
) -> tuple[int, int]:
    """Store the version, then recalculate every snapshot on or after its date, in one engine."""
    version_id = points_versions.save_version(connection, config, effective_from, source)
    affected = [
        record.id
        for record in snapshots.list_snapshots(connection)
        if record.as_of >= effective_from
    ]
    recalculated = recalculate(connection, affected) if affected else 0
    return version_id, recalculated


# Readable names for the sections of a points document, in the order pages show them.
SECTION_TITLES = {
    "case_points": "Case points",
    "t2a_points": "Young adult (T2A) case points",
    "report_points": "Court reports",
    "inactive_weighting": "Inactive case weighting (%)",
    "contact_points": "Case management support contacts",
    "default_contracted_hours": "Default contracted hours",
    "nominal_target": "Nominal target",
    "thresholds": "Thresholds",
}
DOCUMENT_SOURCE = "The points document"
# Far longer than any real document (about 3,000 characters), short enough to read at once.
LONGEST_DOCUMENT = 100_000
EARLIEST_EFFECTIVE_FROM = points_versions.REFERENCE_EFFECTIVE_FROM
LATEST_EFFECTIVE_FROM = date(2099, 12, 31)


@dataclass(frozen=True)
class VersionSummary:
    """One stored version, and the snapshots whose figures were calculated with it."""

    id: int
    effective_from: date
    created_at: datetime
    source: str | None
    snapshots: tuple[date, ...]


@dataclass(frozen=True)
class SettingsTable:
    """A table of one version's settings: the first cell of each row is its heading."""

    caption: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class ComparedSetting:
    section: str
    setting: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


def version_summaries(store: Store) -> list[VersionSummary]:
    """Every version, the newest effective date first."""
    table = schema.table_of(schema.PointsConfigurationVersion)
    with store.reading() as connection:
        users: dict[int, list[date]] = {}
        for record in snapshots.list_snapshots(connection):
            users.setdefault(record.points_configuration_id, []).append(record.as_of)
        rows = connection.execute(select(table).order_by(table.c.effective_from.desc())).all()
    return [
        VersionSummary(
            row.id,
            row.effective_from,
            row.created_at.replace(microsecond=0),
            row.source,
            tuple(users.get(row.id, [])),
        )
        for row in rows
    ]


def points_version(store: Store, version_id: int) -> PointsVersion:
    """One stored version; NotFound if there is none with this number."""
    table = schema.table_of(schema.PointsConfigurationVersion)
    with store.reading() as connection:
        exists = connection.execute(select(table.c.id).where(table.c.id == version_id)).first()
        if exists is None:
            raise NotFound(f"There is no points configuration version {version_id}.")
        return points_versions.version_by_id(connection, version_id)


def newest_document(store: Store) -> str:
    """The newest version as TOML, to start an edit from (the reference if none is stored)."""
    with store.reading() as connection:
        versions = points_versions.list_versions(connection)
    config = versions[-1].configuration if versions else default_points_configuration()
    return tomli_w.dumps(to_document(config))


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def settings_tables(config: PointsConfiguration) -> list[SettingsTable]:
    """One version's settings as the tables a person reads them in."""
    types = tuple(CaseType)
    titles = tuple(case_type.value.capitalize() for case_type in types)

    def by_tier(points: CasePoints) -> list[tuple[str, ...]]:
        return [(tier, *(str(points[ct][tier]) for ct in types)) for tier in SCORED_TIERS]

    reports = [(kind.capitalize(), str(config.report_points[kind])) for kind in REPORT_TYPES]
    reports.append(("Parole reports counted", _shown(config.parole_reports_enabled)))
    return [
        SettingsTable(
            "Case points by tier and case type", ("Tier", *titles), by_tier(config.case_points)
        ),
        SettingsTable(
            "Young adult (T2A) case points", ("Tier", *titles), by_tier(config.t2a_points)
        ),
        SettingsTable("Court reports", ("Report", "Points"), reports),
        SettingsTable(
            "Share of an inactive case's points that counts",
            ("Flag", "Percent"),
            [
                (flag.replace("_", " ").capitalize(), str(config.inactive_weighting[flag]))
                for flag in WEIGHTED_FLAGS
            ],
        ),
        SettingsTable(
            "Case management support contacts",
            ("Contact code", "Points"),
            [(code, str(points)) for code, points in sorted(config.contact_points.items())],
        ),
        SettingsTable(
            "Hours and targets by grade",
            ("Grade", "Default contracted hours", "Nominal target"),
            [
                (
                    grade.value,
                    str(config.default_contracted_hours[grade]),
                    str(config.nominal_target[grade]),
                )
                for grade in SUPPORTED_GRADES
            ],
        ),
        SettingsTable(
            "Thresholds for signals and capacity bands",
            ("Threshold", "Value"),
            [
                (name.replace("_", " ").capitalize(), _shown(getattr(config.thresholds, name)))
                for name in THRESHOLD_NAMES
            ],
        ),
    ]


def _flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as dotted paths: `case_points.community.A3` → 206."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def settings_by_path(config: PointsConfiguration) -> dict[str, str]:
    """Every setting of a version by its dotted path, as text (what the audit log keeps)."""
    return {path: _shown(value) for path, value in _flatten(to_document(config)).items()}


def compare_versions(
    store: Store, first_id: int, second_id: int
) -> tuple[PointsVersion, PointsVersion, list[ComparedSetting]]:
    """Two versions and every setting of either, side by side, in the order of SECTION_TITLES."""
    first, second = points_version(store, first_id), points_version(store, second_id)
    old, new = settings_by_path(first.configuration), settings_by_path(second.configuration)
    order = list(SECTION_TITLES)
    # Keep each document's own order within a section; a setting only in the second comes last.
    paths = sorted(
        [*old, *(path for path in new if path not in old)],
        key=lambda path: order.index(path.split(".")[0]),
    )
    rows = []
    for path in paths:
        section, _, setting = path.partition(".")
        rows.append(
            ComparedSetting(
                SECTION_TITLES[section],
                setting.replace(".", " ").replace("_", " "),
                old.get(path, "not set"),
                new.get(path, "not set"),
            )
        )
    return first, second, rows


def check_points_document(text: str) -> PointsConfiguration:
    """The configuration an edited TOML document sets out; InputRejected with every problem."""
    if len(text) > LONGEST_DOCUMENT:
        raise InputRejected(
            DOCUMENT_SOURCE, [f"The settings must be {LONGEST_DOCUMENT:,} characters or fewer"]
        )
    return from_document(read_settings_text(text, DOCUMENT_SOURCE), source=DOCUMENT_SOURCE)


def effective_from_problem(day: date) -> str | None:
    """Why a version cannot come into force on this day, if it cannot."""
    if not EARLIEST_EFFECTIVE_FROM <= day <= LATEST_EFFECTIVE_FROM:
        return (
            f"The date must be between {EARLIEST_EFFECTIVE_FROM:%-d %B %Y} and "
            f"{LATEST_EFFECTIVE_FROM:%-d %B %Y}"
        )
    return None


def add_points_version(
    store: Store, text: str, effective_from: date, username: str
) -> tuple[int, int]:
    """A version from an edited document, in force from a date, recalculating what it touches.

    The document is refused whole (InputRejected) if any setting is wrong. The change and its
    audit event are written together. Returns (version id, number of snapshots recalculated).
    """
    config = check_points_document(text)
    problem = effective_from_problem(effective_from)
    if problem is not None:
        raise InputRejected(DOCUMENT_SOURCE, [problem])
    with store.changing_snapshots() as connection:
        previous = points_versions.version_in_force(connection, effective_from)
        version_id, recalculated = _save_and_recalculate(
            connection, config, effective_from, f"entered by {username}"
        )
        record_change(
            connection,
            username=username,
            action="add points version",
            subject=f"points configuration in force from {effective_from.isoformat()}",
            before={
                "effective_from": previous.effective_from,
                **settings_by_path(previous.configuration),
            },
            after={"effective_from": effective_from, **settings_by_path(config)},
        )
    return version_id, recalculated
