"""Reduction reasons as administrators keep them in the store."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import Connection, insert, select, update

from wmt.domain.reductions import ReductionCategory
from wmt.errors import NotFound, WmtError
from wmt.services.audit import Written, write_audited
from wmt.store import schema
from wmt.store.transactions import Store


@dataclass(frozen=True)
class ReasonValues:
    """What an administrator sets for a reason (its name is fixed once added)."""

    name: str
    category: str
    allowance_percent: int | None
    maximum_percent: int | None
    months_to_expiry: int | None
    active: bool


@dataclass(frozen=True)
class ReasonRecord(ReasonValues):
    """A reason as kept in the store: its values, its number and its version."""

    id: int
    version: int


def _reasons() -> Any:
    return schema.table_of(schema.ReductionReasonRecord)


def list_reasons(connection: Connection, *, include_retired: bool = False) -> list[ReasonRecord]:
    """The reasons in the order managers see them: by category, then name."""
    table = _reasons()
    query = select(table).order_by(table.c.category, table.c.name)
    if not include_retired:
        query = query.where(table.c.active.is_(True))
    return [ReasonRecord(**row._mapping) for row in connection.execute(query)]


def find_reason(connection: Connection, name: str) -> ReasonRecord | None:
    """The reason with this name (retired ones included), matched case-insensitively."""
    wanted = name.strip().lower()
    for reason in list_reasons(connection, include_retired=True):
        if reason.name.lower() == wanted:
            return reason
    return None


class ReasonRefused(WmtError):
    """A reason's values broke a rule; `problems` says which field and what to do."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


class ReasonChangedMeanwhile(WmtError):
    """Someone else saved the reason after this form was opened; nothing was saved."""

    def __init__(self, current: ReasonRecord) -> None:
        self.current = current
        super().__init__(
            f"Someone else changed {current.name!r} after you opened this form, so your changes "
            "were not saved. Its values now are shown below; your changes are kept in the form. "
            "Check them and save again to replace the other change."
        )


def read_reason_form(
    *, name: str, category: str, allowance: str, maximum: str, months: str, active: bool
) -> ReasonValues:
    """Values typed into a form, as whole numbers where they should be; ReasonRefused if not."""
    problems: dict[str, str] = {}

    def whole(field: str, text: str, label: str) -> int | None:
        text = text.strip().removesuffix("%").strip()
        if not text:
            return None
        digits = text.removeprefix("-")
        # Digits 0 to 9 only: Python would also read "1_000", "٣" or "²" as numbers.
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
            problems[field] = f"{label} must be a whole number, like 20"
            return None
        return int(text)

    values = ReasonValues(
        name.strip(),
        category.strip(),
        whole("allowance_percent", allowance, "Allowance"),
        whole("maximum_percent", maximum, "Maximum"),
        whole("months_to_expiry", months, "Months to expiry"),
        active,
    )
    problems = {**reason_problems(values), **problems}
    if problems:
        raise ReasonRefused(problems)
    return values


def reason_problems(values: ReasonValues) -> dict[str, str]:
    """What is wrong with a reason's values, by field; empty if nothing is."""
    problems: dict[str, str] = {}
    if not values.name:
        problems["name"] = "Enter the reason's name"
    elif len(values.name) > 200:
        problems["name"] = "The name must be 200 characters or fewer"
    elif not values.name.isprintable():
        problems["name"] = "The name must be one line of letters, digits, spaces and punctuation"
    if values.category not in {category.value for category in ReductionCategory}:
        problems["category"] = "Choose the reason's category"
    for field, label in (("allowance_percent", "Allowance"), ("maximum_percent", "Maximum")):
        percent = getattr(values, field)
        if percent is not None and not 0 <= percent <= 100:
            problems[field] = f"{label} must be from 0 to 100 %"
    allowance, maximum = values.allowance_percent, values.maximum_percent
    if (
        allowance is not None
        and maximum is not None
        and "allowance_percent" not in problems
        and "maximum_percent" not in problems
        and allowance > maximum
    ):
        problems["allowance_percent"] = "Allowance must not be more than the maximum"
    months = values.months_to_expiry
    if months is not None and not 1 <= months <= 60:
        problems["months_to_expiry"] = "Months to expiry must be from 1 to 60"
    return problems


def reason_by_id(connection: Connection, reason_id: int) -> ReasonRecord:
    """The reason with this number; NotFound if there is none."""
    for reason in list_reasons(connection, include_retired=True):
        if reason.id == reason_id:
            return reason
    raise NotFound(f"There is no reduction reason {reason_id}.")


def _audited(values: ReasonValues) -> dict[str, Any]:
    """A reason's values as the audit log keeps them (a record's number and version aside)."""
    return {field.name: getattr(values, field.name) for field in fields(ReasonValues)}


def _checked(values: ReasonValues) -> ReasonValues:
    problems = reason_problems(values)
    if problems:
        raise ReasonRefused(problems)
    return values


@dataclass(frozen=True)
class NewReason:
    """A reason added by an administrator, its name not yet used by another."""

    values: ReasonValues

    def write(self, connection: Connection, username: str) -> Written:
        values = _checked(self.values)
        if find_reason(connection, values.name) is not None:
            raise ReasonRefused({"name": f"There is already a reason called {values.name!r}"})
        table = _reasons()
        inserted = connection.execute(
            insert(table).returning(table.c.id), {**_audited(values), "version": 1}
        )
        reason_id = int(inserted.scalar_one())
        return Written(
            "add reduction reason",
            f"reduction reason {values.name}",
            None,
            _audited(values),
            reason_id,
        )


@dataclass(frozen=True)
class ReasonChange:
    """New values for a reason, saved over the version the administrator opened. Its name
    stays: reductions already recorded refer to the reason by name."""

    reason_id: int
    version: int
    values: ReasonValues

    def write(self, connection: Connection, username: str) -> Written:
        current = reason_by_id(connection, self.reason_id)
        values = _checked(replace(self.values, name=current.name))
        table = _reasons()
        changed = connection.execute(
            update(table)
            .where(table.c.id == self.reason_id, table.c.version == self.version)
            .values(**_audited(values), version=table.c.version + 1)
        )
        if changed.rowcount != 1:
            raise ReasonChangedMeanwhile(reason_by_id(connection, self.reason_id))
        return Written(
            "change reduction reason",
            f"reduction reason {current.name}",
            _audited(current),
            _audited(values),
            self.reason_id,
        )


def add_reason(store: Store, values: ReasonValues, username: str) -> int:
    """A new reason, with its audit event; ReasonRefused if a value or the name is wrong."""
    with store.writing() as connection:
        written = write_audited(connection, username, NewReason(values))
    assert written.record_id is not None  # an addition always names what it added
    return written.record_id


def change_reason(
    store: Store, reason_id: int, version: int, values: ReasonValues, username: str
) -> None:
    """Save a reason's new values if nobody has changed it since `version` was read; its name
    stays. ReasonChangedMeanwhile if the version is stale; ReasonRefused if a value is wrong."""
    with store.writing() as connection:
        write_audited(connection, username, ReasonChange(reason_id, version, values))
