"""Suggesting a plan for a unit's queue and rebalancing a unit's caseloads, over the stored
snapshot: the queue and the owners' figures are read as the queue and candidates read them,
the optimiser (`wmt.planning`) decides, and every figure it reports is the engine's.

Plans are for a team or a PDU, and need a case-level import: an nDelius extract gives counts
of cases waiting, not the cases, so a plan would have no CRNs to name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import Connection, select

from wmt.domain.access import Viewer
from wmt.domain.eligibility import EligibilityRules
from wmt.domain.hierarchy import NATIONAL_CODE, Level
from wmt.domain.points import PointsConfiguration
from wmt.engine.tables import CASES_SCHEMA
from wmt.errors import NotFound, WmtError
from wmt.planning.plan import DEFAULT_CEILING, Plan, suggest_plan
from wmt.planning.rebalance import DEFAULT_TARGET, Rebalance, rebalance
from wmt.services.allocation_candidates import _owners as owners_of_teams
from wmt.services.allocation_queue import COUNTED_SOURCE
from wmt.services.allocation_queue import _waiting_cases as waiting_cases
from wmt.services.places import level_of_unit, places_in
from wmt.services.scope import NOT_FOUND, check_may_read
from wmt.store import schema
from wmt.store.case_locks import is_locked, with_locks
from wmt.store.eligibility_versions import rules_in_force
from wmt.store.frames import read_frame
from wmt.store.points_versions import version_in_force
from wmt.store.snapshots import SnapshotRecord, require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within

PLAN_LEVELS: tuple[Level, ...] = (Level.TEAM, Level.PDU)
DEFAULT_TIME_LIMIT = 10.0
# What a held case needs to be scored, to say who may be given it, and whether it may move.
HELD_COLUMNS = (
    "crn",
    "staff_code",
    "team_code",
    "case_type",
    "tier",
    *(name for name in CASES_SCHEMA if CASES_SCHEMA[name] == pl.Boolean),
    "rosh",
    "previous_staff_code",
    "allocated_date",
)


@dataclass(frozen=True)
class SuggestedPlan:
    as_of: date
    level: Level
    unit_code: str
    ceiling: Decimal | None  # None: going over the ceiling was allowed
    plan: Plan


@dataclass(frozen=True)
class UnitRebalance:
    as_of: date
    level: Level
    unit_code: str
    target: Decimal
    rebalance: Rebalance


@dataclass(frozen=True)
class PlanningInputs:
    """What the optimiser needs of one snapshot, read in one transaction."""

    as_of: date
    config: PointsConfiguration
    rules: EligibilityRules
    owners: pl.DataFrame  # the engine's figures of the unit's owners
    cases: pl.DataFrame  # the cases to place, or the cases held


def suggest(
    store: Store,
    viewer: Viewer,
    code: str,
    ceiling: Decimal | None = DEFAULT_CEILING,
    time_limit: float = DEFAULT_TIME_LIMIT,
    as_of: date | None = None,
    *,
    level: Level | None = None,
) -> SuggestedPlan:
    """A plan for the queue of the team or PDU with this code (of that level, if given) on
    the snapshot of the date (the newest by default); `ceiling=None` allows going over."""
    with store.reading() as connection:
        record = planning_snapshot(connection, as_of)
        unit_level, teams = unit_to_plan(connection, record, viewer, code, level)
        inputs = planning_inputs(
            connection, record, teams, waiting_cases(connection, record.id, unit_level, code)
        )
    plan = suggest_plan(
        inputs.cases.sort("crn"),
        inputs.owners,
        inputs.config,
        inputs.as_of,
        rules=inputs.rules,
        ceiling=ceiling,
        time_limit=time_limit,
    )
    return SuggestedPlan(inputs.as_of, unit_level, code, ceiling, plan)


def rebalance_unit(
    store: Store,
    viewer: Viewer,
    code: str,
    target: Decimal = DEFAULT_TARGET,
    max_moves: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    as_of: date | None = None,
    *,
    level: Level | None = None,
) -> UnitRebalance:
    """The fewest moves of the unit's allocated cases that bring everyone to the target.
    Cases given in the last 28 days stay (the planner keeps them), as do those a manager
    has locked."""
    with store.reading() as connection:
        record = planning_snapshot(connection, as_of)
        unit_level, teams = unit_to_plan(connection, record, viewer, code, level)
        inputs = planning_inputs(
            connection, record, teams, held_cases(connection, record.id, teams)
        )
    moves = rebalance(
        inputs.cases,
        inputs.owners,
        inputs.config,
        inputs.as_of,
        rules=inputs.rules,
        target=target,
        max_moves=max_moves,
        time_limit=time_limit,
    )
    return UnitRebalance(inputs.as_of, unit_level, code, target, moves)


def planning_snapshot(connection: Connection, as_of: date | None) -> SnapshotRecord:
    """The snapshot of the date (the newest by default), if it holds cases one by one."""
    record = require_snapshot(connection, as_of)
    if record.source_format == COUNTED_SOURCE:
        raise WmtError(
            f"The snapshot of {record.as_of} is an nDelius extract, which counts the cases "
            "waiting but does not list them. Plans need case-level imports: import the "
            "snapshot as a folder of case files (docs/case-format.md)."
        )
    return record


def unit_to_plan(
    connection: Connection,
    record: SnapshotRecord,
    viewer: Viewer,
    code: str,
    level: Level | None = None,
) -> tuple[Level, list[str]]:
    """The unit's level and its teams, if the person may see it and it is a team or PDU;
    NotFound for a unit that is not there or that they may not see."""
    found = level or (Level.NATIONAL if code == NATIONAL_CODE else None)
    found = found or level_of_unit(connection, record.id, code)
    if found is None:
        raise NotFound(
            f"There is no team or PDU {code!r} in the snapshot of {record.as_of}."
            if viewer.sees_everything
            else NOT_FOUND
        )
    if check_may_read(connection, record.id, viewer, found, code) is None:
        places_in(connection, record.id, found, code)  # NotFound if not there
    if found not in PLAN_LEVELS:
        raise WmtError(
            f"A plan is for a team or a PDU; {code!r} is at {found.value} level. "
            "Choose one of the teams or PDUs within it."
        )
    return found, teams_within(connection, record.id, code, found)


def held_cases(connection: Connection, snapshot_id: int, teams: list[str]) -> pl.DataFrame:
    """The cases the teams' practitioners hold, in CRN order, each saying whether a manager
    has locked it."""
    table = schema.table_of(schema.SnapshotCase)
    columns = (*(table.c[name] for name in HELD_COLUMNS), is_locked())
    query = (
        select(*columns)
        .select_from(with_locks(table))
        .where(
            table.c.snapshot_id == snapshot_id,
            table.c.staff_code.is_not(None),
            table.c.team_code.in_(teams),
        )
    )
    types = {name: CASES_SCHEMA.get(name, pl.String) for name in HELD_COLUMNS}
    return read_frame(connection, query, {**types, "locked": pl.Boolean}).sort("crn")


def planning_inputs(
    connection: Connection, record: SnapshotRecord, teams: list[str], cases: pl.DataFrame
) -> PlanningInputs:
    return PlanningInputs(
        as_of=record.as_of,
        config=version_in_force(connection, record.as_of).configuration,
        rules=rules_in_force(connection, record.as_of),
        owners=owners_of_teams(connection, record, teams),
        cases=cases,
    )
