"""Form parts shared by every page that takes input: GOV.UK date inputs and problem lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date


@dataclass
class Problems:
    """What was wrong with a form: each (field id, message) in page order."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, field_id: str, message: str) -> None:
        self.items.append((field_id, message))

    def update(self, problems: dict[str, str]) -> None:
        for field_id, message in problems.items():
            self.add(field_id, message)

    @property
    def inline(self) -> dict[str, str]:
        """The first message for each field, shown beside it."""
        first: dict[str, str] = {}
        for field_id, message in self.items:
            first.setdefault(field_id, message)
        return first


@dataclass(frozen=True)
class DateField:
    """One date of a GOV.UK date input as typed, the date it names, and what is wrong."""

    name: str
    label: str
    day: str = ""
    month: str = ""
    year: str = ""
    value: date | None = None
    error: str | None = None
    wrong: tuple[str, ...] = ()  # the parts to mark as in error


PARTS = ("day", "month", "year")


def read_date(params: Mapping[str, str], name: str, label: str) -> DateField:
    """A date from NAME-day, NAME-month and NAME-year, or NAME as YYYY-MM-DD; none if blank."""
    typed = {part: params.get(f"{name}-{part}", "").strip() for part in PARTS}
    if not any(typed.values()):
        text = params.get(name, "").strip()
        if not text:
            return DateField(name, label)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return DateField(name, label, error=f"{label} must be a real date", wrong=PARTS)
        return DateField(name, label, str(day.day), str(day.month), str(day.year), day)
    field = DateField(name, label, typed["day"], typed["month"], typed["year"])
    missing = tuple(part for part in PARTS if not typed[part])
    if missing:
        return replace(
            field, error=f"{label} must include a {' and '.join(missing)}", wrong=missing
        )
    if not all(value.isdigit() for value in typed.values()):
        return replace(field, error=f"{label} must be a real date", wrong=PARTS)
    if len(typed["year"]) != 4:
        return replace(field, error="Year must include 4 numbers", wrong=("year",))
    try:
        value = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError:
        return replace(field, error=f"{label} must be a real date", wrong=PARTS)
    return replace(field, value=value)
