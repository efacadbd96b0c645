"""Every import attempt is written down: imported, refused (nothing else changed) or failed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from tests.case_folders import replace_line, write_folder
from tests.conftest import database_content
from wmt.errors import InputRejected
from wmt.services.importing import import_activity, import_case_folder, import_path
from wmt.store import schema
from wmt.store.transactions import Store

START = datetime(2026, 12, 3, 2, 0, 0)


class Ticks:
    """A clock that moves on a few seconds each time it is read."""

    def __init__(self, start: datetime = START, step: float = 4.0) -> None:
        self.now, self.step = start, timedelta(seconds=step)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def runs(store: Store) -> list[dict[str, Any]]:
    table = schema.table_of(schema.ImportRun)
    with store.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).all()
    return [dict(row._mapping) for row in rows]


def test_an_import_is_written_down_with_its_counts(store: Store, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s")
    import_case_folder(store, folder, clock=Ticks())
    [run] = runs(store)
    assert {key: run[key] for key in run if key != "id"} == {
        "started_at": START + timedelta(seconds=4),
        "finished_at": START + timedelta(seconds=8),
        "source": str(folder),
        "source_format": "case-level",
        "as_of": date(2026, 11, 20),
        "outcome": "imported",
        "practitioners": 3,
        "cases": 6,
        "message": None,
    }


def test_a_refused_import_changes_nothing_but_the_record_of_attempts(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    import_case_folder(store, write_folder(tmp_path / "good"))
    before, before_everything = (
        database_content(database_url),
        database_content(database_url, leave_out=()),
    )
    long_name = "Ada" + "a" * 300  # longer than a forename is kept: the message quotes it
    broken = replace_line("staff.csv", "S1,T1,PO,Ada,", f"S1,T1,PO,{long_name},")
    broken |= replace_line("cases.csv", "X000004,S2,T1,community,D2", "X000004,S2,T1,community,Q7")
    with pytest.raises(InputRejected):
        import_case_folder(store, write_folder(tmp_path / "bad", broken), clock=Ticks())
    assert database_content(database_url) == before
    after = database_content(database_url, leave_out=())
    assert after != before_everything
    [imported, refused] = runs(store)
    assert imported["outcome"] == "imported"
    assert (refused["outcome"], refused["practitioners"], refused["cases"]) == (
        "refused",
        None,
        None,
    )
    assert refused["finished_at"] - refused["started_at"] == timedelta(seconds=4)
    message = refused["message"]
    assert message.startswith("2 problems at: "), message
    assert "staff.csv, row 2, column forename" in message
    assert "cases.csv, row 5, column tier" in message
    for value in ("Q7", "Adaaa", "X000004"):
        assert value not in message  # the places of the problems, never the values


def test_a_path_that_is_not_there_is_a_refused_attempt(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputRejected):
        import_path(store, tmp_path / "nothing")
    [run] = runs(store)
    assert (run["outcome"], run["source"]) == ("refused", str(tmp_path / "nothing"))
    assert run["message"] == f"1 problem at: {tmp_path / 'nothing'}"


def test_a_fault_of_the_database_is_a_failed_attempt_named_by_its_type(
    store: Store, tmp_path: Path
) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE owner_workload"))
    with pytest.raises(SQLAlchemyError):
        import_case_folder(store, write_folder(tmp_path / "s"))
    [run] = runs(store)
    assert run["outcome"] == "failed"
    assert run["as_of"] is None and run["practitioners"] is None
    assert run["message"].startswith("sqlalchemy.exc.")
    assert "owner_workload" not in run["message"]  # the type only: a message may quote rows


def test_each_folder_of_a_series_is_an_attempt_of_its_own(store: Store, tmp_path: Path) -> None:
    series = tmp_path / "series"
    for day in ("2026-11-13", "2026-11-20"):
        write_folder(series / day, {"snapshot.txt": f"{day}\n"})
    import_path(store, series)
    assert [(run["as_of"], run["outcome"]) for run in runs(store)] == [
        (date(2026, 11, 13), "imported"),
        (date(2026, 11, 20), "imported"),
    ]


def test_activity_counts_the_last_day_and_names_the_last_attempt(
    store: Store, tmp_path: Path
) -> None:
    clock = Ticks(START - timedelta(days=2))
    import_case_folder(store, write_folder(tmp_path / "old"), clock=clock)
    clock.now = START
    import_case_folder(store, write_folder(tmp_path / "s"), clock=clock)
    with pytest.raises(InputRejected):
        import_path(store, tmp_path / "nothing", clock=clock)
    activity = import_activity(store, START + timedelta(hours=1))
    assert activity.last_day == {"imported": 1, "refused": 1, "failed": 0}
    assert activity.last_imported_at == START + timedelta(seconds=8)
    assert activity.last is not None and activity.last.outcome == "refused"
    assert activity.last.duration_seconds == 4
    a_day_on = import_activity(store, START + timedelta(days=1, hours=1))
    assert a_day_on.last_day == {"imported": 0, "refused": 0, "failed": 0}
