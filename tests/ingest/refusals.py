"""What a reader says when it refuses an input: the message a person would be shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.case_folders import Changes, write_folder
from wmt.errors import InputRejected
from wmt.ingest.case_folder import read_case_folder
from wmt.ingest.ndelius import read_ndelius_workbook


def refusal(attempt: Callable[[], object]) -> str:
    """The message of the refusal; the test fails if the input is taken instead."""
    with pytest.raises(InputRejected) as refused:
        attempt()
    return str(refused.value)


def folder_refusal(tmp_path: Path, changes: Changes) -> str:
    """Why the valid case-level folder, changed so, is refused."""
    folder = write_folder(tmp_path / "broken", changes)
    return refusal(lambda: read_case_folder(folder))


def workbook_refusal(workbook: Path, as_of: date | None = None) -> str:
    """Why the nDelius workbook is refused."""
    return refusal(lambda: read_ndelius_workbook(workbook, as_of))
