"""The database schema. Every snapshot's inputs and results are kept, keyed by snapshot."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from wmt.domain.entries import CODE_LENGTH, NAME_LENGTH
from wmt.domain.figures import FIGURES
from wmt.engine.tables import TIER_COLUMNS

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

HOURS = Numeric(5, 2)
CODE = String(CODE_LENGTH)
NAME = String(NAME_LENGTH)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as one."""
    table: Table = model.__table__  # type: ignore[assignment]
    return table


# The digits each exact figure's column holds; its places are the figure's (domain/figures.py)
# and a whole figure is an integer. An owner's hours are one person's week; a unit's are
# summed over everyone in it.
OWNER_FIGURE_DIGITS: dict[str, int] = {
    "case_points": 12,
    "t2a_points": 12,
    "contracted_hours": 5,
    "reduction_hours": 7,
    "hours_available": 7,
    "capacity_percent": 8,
}
UNIT_FIGURE_DIGITS: dict[str, int] = {
    **OWNER_FIGURE_DIGITS,
    "contracted_hours": 12,
    "reduction_hours": 12,
    "hours_available": 12,
}
# Figures only a unit has: the practitioners in it and the cases nobody in it holds.
UNIT_ONLY_FIGURES = ("practitioners", "unallocated_cases")


def figure_type(name: str, digits: Mapping[str, int]) -> TypeEngine[Any]:
    """How a results table keeps a figure: whole as an integer, exact with its places."""
    places = FIGURES[name].places
    return Integer() if places == 0 else Numeric(digits[name], places)


def add_figure_columns(
    model: type[Base], digits: Mapping[str, int], leaving_out: Collection[str] = ()
) -> None:
    """Give a results table a column for every figure (but those left out), none of them null."""
    for name in FIGURES:
        if name not in leaving_out:
            setattr(model, name, mapped_column(figure_type(name, digits), nullable=False))


def _snapshot_key() -> Mapped[int]:
    return mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True)


class PointsConfigurationVersion(Base):
    """One version of the points configuration, in force from its effective date."""

    __tablename__ = "points_configuration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    document: Mapped[str] = mapped_column(Text)  # JSON, the shape of `wmt points show`
    source: Mapped[str | None] = mapped_column(Text)


class EligibilityVersion(Base):
    """One version of the eligibility rules (who may be given which case), in force from its
    effective date."""

    __tablename__ = "eligibility_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    document: Mapped[str] = mapped_column(Text)  # JSON, the shape of `wmt eligibility show`
    created_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(120))  # the account, if a person's


class Snapshot(Base):
    """One dated import: the inputs as they were on that date and the results computed."""

    __tablename__ = "snapshot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(40))
    points_configuration_id: Mapped[int] = mapped_column(ForeignKey("points_configuration.id"))
    calculated_at: Mapped[datetime] = mapped_column(DateTime)
    # Moves on by one whenever the snapshot's results are written again (an import, an edit's
    # recalculation, a new points version): what a cache of its figures is keyed by.
    results_version: Mapped[int] = mapped_column(Integer, server_default="1")


class SnapshotUnit(Base):
    __tablename__ = "snapshot_unit"
    snapshot_id: Mapped[int] = _snapshot_key()
    team_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    team_name: Mapped[str] = mapped_column(NAME)
    pdu_code: Mapped[str] = mapped_column(CODE)
    pdu_name: Mapped[str] = mapped_column(NAME)
    region_code: Mapped[str] = mapped_column(CODE)
    region_name: Mapped[str] = mapped_column(NAME)


class SnapshotStaff(Base):
    """A workload owner: one practitioner in one team."""

    __tablename__ = "snapshot_staff"
    snapshot_id: Mapped[int] = _snapshot_key()
    staff_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    team_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    grade: Mapped[str] = mapped_column(String(10))
    forename: Mapped[str | None] = mapped_column(NAME)
    surname: Mapped[str | None] = mapped_column(NAME)
    contracted_hours: Mapped[Decimal | None] = mapped_column(HOURS)  # as used: managed or imported
    start_date: Mapped[date | None] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    imported_contracted_hours: Mapped[Decimal | None] = mapped_column(HOURS)  # as the import said


class SnapshotCase(Base):
    __tablename__ = "snapshot_case"
    # An owner's cases, and the cases nobody holds, without reading the whole snapshot.
    __table_args__ = (Index("ix_snapshot_case_owner", "snapshot_id", "staff_code", "team_code"),)
    snapshot_id: Mapped[int] = _snapshot_key()
    crn: Mapped[str] = mapped_column(String(120), primary_key=True)
    staff_code: Mapped[str | None] = mapped_column(CODE)  # null: unallocated
    team_code: Mapped[str] = mapped_column(CODE)
    case_type: Mapped[str] = mapped_column(String(10))
    tier: Mapped[str] = mapped_column(String(10))
    t2a: Mapped[bool] = mapped_column(Boolean)
    warrant: Mapped[bool] = mapped_column(Boolean)
    unpaid_work: Mapped[bool] = mapped_column(Boolean)
    overdue_termination: Mapped[bool] = mapped_column(Boolean)
    priority: Mapped[bool] = mapped_column(Boolean)
    suspended_sentence: Mapped[bool] = mapped_column(Boolean)
    suspended_lifer: Mapped[bool] = mapped_column(Boolean)
    allocated_date: Mapped[date | None] = mapped_column(Date)
    sentence_date: Mapped[date | None] = mapped_column(Date)
    previous_staff_code: Mapped[str | None] = mapped_column(CODE)
    rosh: Mapped[str | None] = mapped_column(String(10))
    initial_appointment_date: Mapped[date | None] = mapped_column(Date)
    # Set when the holder comes from an allocation decision laid over the import; null when
    # the case is held as the import gave it.
    allocation_decision_id: Mapped[int | None] = mapped_column(Integer)


class SnapshotReport(Base):
    __tablename__ = "snapshot_report"
    __table_args__ = (Index("ix_snapshot_report_owner", "snapshot_id", "staff_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("snapshot.id", ondelete="CASCADE"), index=True
    )
    staff_code: Mapped[str] = mapped_column(CODE)
    team_code: Mapped[str] = mapped_column(CODE)
    report_type: Mapped[str] = mapped_column(String(10))
    completed_date: Mapped[date] = mapped_column(Date)
    crn: Mapped[str | None] = mapped_column(CODE)


class SnapshotContact(Base):
    """A case management support contact: who did it, and who holds the case."""

    __tablename__ = "snapshot_contact"
    __table_args__ = (
        Index("ix_snapshot_contact_doer", "snapshot_id", "staff_code"),
        Index("ix_snapshot_contact_holder", "snapshot_id", "holder_staff_code"),
    )
    snapshot_id: Mapped[int] = _snapshot_key()
    contact_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    crn: Mapped[str] = mapped_column(CODE)
    contact_date: Mapped[date] = mapped_column(Date)
    contact_type_code: Mapped[str] = mapped_column(CODE)
    staff_code: Mapped[str] = mapped_column(CODE)
    team_code: Mapped[str] = mapped_column(CODE)
    holder_staff_code: Mapped[str | None] = mapped_column(CODE)
    holder_team_code: Mapped[str | None] = mapped_column(CODE)


class SnapshotReduction(Base):
    __tablename__ = "snapshot_reduction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("snapshot.id", ondelete="CASCADE"), index=True
    )
    staff_code: Mapped[str] = mapped_column(CODE)
    team_code: Mapped[str] = mapped_column(CODE)
    reason: Mapped[str] = mapped_column(NAME)
    hours: Mapped[Decimal] = mapped_column(HOURS)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    deleted: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    # Set when the reduction is one managed in wmt rather than one from the import.
    managed_reduction_id: Mapped[int | None] = mapped_column(Integer)


class OwnerWorkload(Base):
    """The engine's result for one workload owner in one snapshot: every figure but a unit's own."""

    __tablename__ = "owner_workload"
    __table_args__ = (Index("ix_owner_workload_team", "snapshot_id", "team_code"),)
    snapshot_id: Mapped[int] = _snapshot_key()
    staff_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    team_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    grade: Mapped[str] = mapped_column(String(10))
    forename: Mapped[str | None] = mapped_column(NAME)
    surname: Mapped[str | None] = mapped_column(NAME)


class OwnerCaseload(Base):
    """How many cases of each tier an owner holds, per case type and T2A or not."""

    __tablename__ = "owner_caseload"
    snapshot_id: Mapped[int] = _snapshot_key()
    staff_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    team_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    case_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    t2a: Mapped[bool] = mapped_column(Boolean, primary_key=True)


# One count column per tier: tier_untiered, tier_a3 … tier_d0, tier_a3s … tier_d0s.
for _column in TIER_COLUMNS.values():
    setattr(OwnerCaseload, _column, mapped_column(Integer, nullable=False))


class UnitWorkload(Base):
    """A roll-up: team, PDU, region or national, for one snapshot: every figure."""

    __tablename__ = "unit_workload"
    snapshot_id: Mapped[int] = _snapshot_key()
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    unit_name: Mapped[str] = mapped_column(NAME)
    parent_code: Mapped[str | None] = mapped_column(CODE)


add_figure_columns(OwnerWorkload, OWNER_FIGURE_DIGITS, leaving_out=UNIT_ONLY_FIGURES)
add_figure_columns(UnitWorkload, UNIT_FIGURE_DIGITS)


class QualityFinding(Base):
    """Something in a snapshot's data that cannot be trusted as it stands, and why."""

    __tablename__ = "quality_finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("snapshot.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(20))  # "reader" or "calculation"
    finding: Mapped[str] = mapped_column(String(80))
    staff_code: Mapped[str | None] = mapped_column(CODE)
    team_code: Mapped[str | None] = mapped_column(CODE)
    crn: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text)


class UserAccount(Base):
    """A person who signs in, with one role and the unit (or staff code) it covers."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    # The username in lower case: no two accounts differ only in capitals.
    username_key: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(CODE)
    full_name: Mapped[str | None] = mapped_column(NAME)
    email: Mapped[str | None] = mapped_column(String(254))
    disabled: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)  # goes up by one at every change
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebSession(Base):
    """A browser's session. Only a digest of its token is kept, so the table opens nothing.

    Times are UTC. A session with no account is someone who has not signed in yet.
    """

    __tablename__ = "web_session"
    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[str] = mapped_column(Text)  # JSON: the form token, sign-in state, a banner
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class SignInThrottle(Base):
    """Failed sign-ins for one username or one client address, keyed by a digest of it.

    Times are UTC. The digest means a password typed into the username box is never kept.
    """

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ManagedHours(Base):
    """Contracted hours set by a manager in wmt; they override the import's from then on."""

    __tablename__ = "managed_hours"
    staff_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    team_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    contracted_hours: Mapped[Decimal] = mapped_column(HOURS)
    version: Mapped[int] = mapped_column(Integer)  # goes up by one at every change
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(120))


class ManagedReduction(Base):
    """A reduction added in wmt by a manager; merged into the newest snapshot and every import."""

    __tablename__ = "managed_reduction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_code: Mapped[str] = mapped_column(CODE, index=True)
    team_code: Mapped[str] = mapped_column(CODE)
    reason: Mapped[str] = mapped_column(NAME)
    hours: Mapped[Decimal] = mapped_column(HOURS)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)  # goes up by one at every change
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(120))


class ReductionReasonRecord(Base):
    """A reduction reason as an administrator keeps it (seeded from the standard catalogue)."""

    __tablename__ = "reduction_reason"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(NAME, unique=True)
    category: Mapped[str] = mapped_column(String(40))
    allowance_percent: Mapped[int | None] = mapped_column(Integer)
    maximum_percent: Mapped[int | None] = mapped_column(Integer)
    months_to_expiry: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """One change a person made: who, when, what, and the record before and after (JSON)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    staff_code: Mapped[str | None] = mapped_column(CODE, index=True)
    team_code: Mapped[str | None] = mapped_column(CODE)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class ImportRun(Base):
    """One attempt to import a file or folder, whatever came of it, for operators to watch."""

    __tablename__ = "import_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str | None] = mapped_column(String(40))
    as_of: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))  # imported, refused or failed
    practitioners: Mapped[int | None] = mapped_column(Integer)
    cases: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)  # why it was refused or failed


class AllocationDecision(Base):
    """A manager's allocation or reallocation of a case. Append-only: a decision's own fields
    never change; only how later imports settled it (confirmed or contradicted, and when).

    Times are UTC; `as_of` is the date of the snapshot it was decided on.
    """

    __tablename__ = "allocation_decision"
    __table_args__ = (Index("ix_allocation_decision_pending", "crn", "as_of"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crn: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # allocation or reallocation
    to_staff_code: Mapped[str] = mapped_column(CODE)
    to_team_code: Mapped[str] = mapped_column(CODE, index=True)
    from_staff_code: Mapped[str | None] = mapped_column(CODE)  # null: a first allocation
    from_team_code: Mapped[str | None] = mapped_column(CODE)
    reason: Mapped[str] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean)
    override_justification: Mapped[str | None] = mapped_column(Text)  # eligibility overridden
    username: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    as_of: Mapped[date] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)  # an import showed it so
    contradicted_on: Mapped[date | None] = mapped_column(Date)  # an import showed someone else


class CaseLock(Base):
    """A manager's word that a held case stays with its practitioner: a rebalance never moves
    it. Unlocking removes the row; both are in the audit log. Times are UTC."""

    __tablename__ = "case_lock"
    crn: Mapped[str] = mapped_column(String(120), primary_key=True)
    team_code: Mapped[str] = mapped_column(CODE)  # the case's team when it was locked
    locked_by: Mapped[str] = mapped_column(String(120))
    locked_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
