"""The management signals, declared as data: what each means and why a manager acts on it.

The numbers come from the thresholds in the points configuration in force on the date;
for figures out of date, the one in force today.
"""

from __future__ import annotations

from dataclasses import dataclass

from wmt.domain.hierarchy import Level

# Signals about the store as a whole rather than any unit's people or teams.
SNAPSHOT_GAP = "snapshot gap"
OUT_OF_DATE = "figures out of date"


@dataclass(frozen=True)
class SignalDefinition:
    code: str
    applies_to: Level  # a practitioner, a team, or national: the store as a whole
    rule: str  # the rule, with {threshold} names filled from the configuration
    why: str


SIGNALS: tuple[SignalDefinition, ...] = (
    SignalDefinition(
        "sustained overload",
        Level.PRACTITIONER,
        "capacity over {overload_percent} % in every snapshot for the last {overload_weeks} "
        "weeks, with a snapshot at least every {snapshot_gap_days} days",
        "the Ministry's definition of excessive workload",
    ),
    SignalDefinition(
        "severe overload",
        Level.PRACTITIONER,
        "capacity over {severe_overload_percent} % on the date",
        "the inspectorate judges this too high on average",
    ),
    SignalDefinition(
        "caseload unreasonable",
        Level.PRACTITIONER,
        "over {caseload_unreasonable_cases} cases, full-time equivalent",
        "the inspectorate judges more than 60 cases unreasonable",
    ),
    SignalDefinition(
        "caseload at risk",
        Level.PRACTITIONER,
        "{caseload_risk_cases} or more cases, full-time equivalent",
        "the inspectorate found quality of delivery falls at 50 or more cases",
    ),
    SignalDefinition(
        "protected caseload breached",
        Level.PRACTITIONER,
        "a newly qualified officer or trainee (active NQO or PQiP reduction) over "
        "{protected_capacity_percent} % capacity",
        "new and trainee officers are meant to have protected caseloads",
    ),
    SignalDefinition(
        "team imbalance",
        Level.TEAM,
        "practitioners' capacity ranges over more than {team_range_percent} points, or its "
        "interquartile range over {team_iqr_percent}",
        "the WMT's purpose is to balance work across a team",
    ),
    SignalDefinition(
        SNAPSHOT_GAP,
        Level.NATIONAL,
        "no snapshot for more than {snapshot_gap_days} days within the last {overload_weeks} weeks",
        "sustained overload cannot be judged across a gap; it is never bridged silently",
    ),
    SignalDefinition(
        OUT_OF_DATE,
        Level.NATIONAL,
        "the newest snapshot is more than {stale_snapshot_days} days old",
        "the figures may no longer show who is overloaded; the nightly import may have stopped",
    ),
)

PROTECTED_REASONS: tuple[str, ...] = (
    "Newly qualified officer (NQO)",
    "PQiP first 6 months",
    "PQiP 6 to 12 months",
    "PQiP 12 to 18 months",
)
