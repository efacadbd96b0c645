"""A refused input is refused the same on SQLite and PostgreSQL, and leaves the store as it
was: values SQLite would have kept and PostgreSQL would have failed on mid-import (too long, a
NUL, a key repeated once trimmed) never reach either."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.case_folders import Changes, replace_line, write_folder
from tests.conftest import database_content, run_wmt
from tests.ingest.refusals import refusal
from tests.samples import VALID
from tests.workbooks import LAST_COLUMN, LAST_ROW, changed_copy
from wmt.ingest.stored_lengths import length_of
from wmt.services.importing import import_case_folder, import_ndelius_workbook
from wmt.store import schema
from wmt.store.transactions import Store

CODE_LENGTH = length_of(schema.SnapshotStaff, "staff_code") or 0

BROKEN_FOLDERS: dict[str, tuple[Changes, str]] = {
    "code_too_long": (
        replace_line("reports.csv", "S2,T1,fast", f"{'S' * (CODE_LENGTH + 1)},T1,fast"),
        "reports.csv, row 3, column staff_code: ",
    ),
    "nul": (
        replace_line("units.csv", "Tyneside Team 2", "Tyneside\x00Team 2"),
        "units.csv, row 3, column team_name: 'Tyneside\\x00Team 2' holds a NUL character",
    ),
    "repeated_once_trimmed": (
        replace_line("contacts.csv", "2,X000004", "1 ,X000004"),
        "contacts.csv, row 3, column contact_id: '1 ' appears more than once (first in row 2",
    ),
    "short_row": (
        replace_line(
            "cases.csv",
            "X000004,S2,T1,community,D2,no,unpaid_work;priority,2026-02-03",
            "X000004,S2,T1",
        ),
        "cases.csv, row 5, column case_type: no value: the row ends early",
    ),
}


@pytest.fixture
def stored(store: Store, tmp_path: Path) -> Store:
    """A store holding one good snapshot, so a refused import has something to spoil."""
    import_case_folder(store, write_folder(tmp_path / "good"))
    return store


@pytest.mark.parametrize("kind", list(BROKEN_FOLDERS))
def test_a_refused_folder_changes_nothing_in_either_store(
    kind: str, stored: Store, database_url: str, tmp_path: Path
) -> None:
    changes, expected = BROKEN_FOLDERS[kind]
    before = database_content(database_url)

    broken = write_folder(tmp_path / "broken", changes)

    assert expected in refusal(lambda: import_case_folder(stored, broken))
    assert database_content(database_url) == before


def test_a_workbook_with_a_stray_far_value_changes_nothing_in_either_store(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    import_ndelius_workbook(store, VALID)
    before = database_content(database_url)
    stray = [("T2A", LAST_ROW, LAST_COLUMN, "stray")]
    broken = changed_copy(VALID, tmp_path / "WMT_PS.xlsx", lambda sheets: None, stray)

    refused = refusal(lambda: import_ndelius_workbook(store, broken))

    assert "T2A, row 1048576, column XFD: 'stray' is outside the table" in refused
    assert database_content(database_url) == before


def test_the_command_line_prints_a_refusal_without_a_traceback(tmp_path: Path) -> None:
    changes, expected = BROKEN_FOLDERS["short_row"]
    folder = write_folder(tmp_path / "broken", changes)

    result = run_wmt("import", str(folder), db=f"sqlite:///{tmp_path / 'wmt.db'}")

    assert result.exit_code == 1
    assert expected in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
