"""Imports and readers at once: readers see one whole state, writers queue, a kill loses nothing.

Each test runs on SQLite (WAL) and on a real PostgreSQL server. The data is a region of the
national demo: an import holds the store's write lock for a measurable time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import database_content
from tests.regional import AS_OF, write_region
from wmt.errors import NotFound
from wmt.services.importing import import_case_folder
from wmt.services.overview import unit_overview
from wmt.services.scope import OPERATOR
from wmt.store import schema
from wmt.store.snapshots import list_snapshots
from wmt.store.transactions import Store, StoreBusy

REPLACEMENTS = 3


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two versions of one region on one date: all its cases, and every second one."""
    folder = tmp_path_factory.mktemp("regions")
    return write_region(folder / "whole"), write_region(folder / "half", keep_cases=2)


@dataclass
class Readers:
    """Threads that read the newest snapshot again and again until told to stop."""

    read: Callable[[], Any]
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        while not self.stop.is_set():
            try:
                self.results.append(self.read())
            except BaseException as error:  # every failure is a finding, whatever its kind
                self.errors.append(error)
            self.stop.wait(0.01)  # like people clicking: leave the importer some of the CPU


@contextmanager
def reading_repeatedly(read: Callable[[], Any], count: int = 2) -> Iterator[Readers]:
    """Readers running in threads for as long as the block lasts."""
    readers = Readers(read)
    threads = [threading.Thread(target=readers.loop) for _ in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield readers
    finally:
        readers.stop.set()
        for thread in threads:
            thread.join(timeout=120)


def _national_and_region(store: Store) -> tuple[int, int, int]:
    """What one request reads: national's caseload, its one region's, and the region's teams'."""
    with store.consistent() as seen:
        national = unit_overview(seen, OPERATOR, "national", "national")
        (region,) = national.units
        inside = unit_overview(seen, OPERATOR, "region", region.unit_code)
        teams = sum(row.caseload for row in inside.children)
        return national.summary.caseload, inside.summary.caseload, teams


@pytest.mark.slow
def test_readers_see_a_whole_snapshot_while_its_date_is_replaced(
    store: Store, regions: tuple[Path, Path]
) -> None:
    whole, half = regions
    expected = set()
    for folder in (whole, half):
        import_case_folder(store, folder)
        expected.add(_national_and_region(store)[0])
    assert len(expected) == 2
    with reading_repeatedly(lambda: _national_and_region(store)) as readers:
        for round_ in range(REPLACEMENTS):
            import_case_folder(store, whole if round_ % 2 else half)
        time.sleep(0.05)
    assert readers.errors == []
    assert len(readers.results) >= REPLACEMENTS
    # Every read saw one state: the national figure, its region's and the region's teams'
    # agree, and each is the whole of one version of the date, never a mixture or nothing.
    for national, region, teams in readers.results:
        assert national == region == teams
        assert national in expected


@pytest.mark.slow
def test_an_import_of_a_new_date_does_not_disturb_readers(
    store: Store, regions: tuple[Path, Path]
) -> None:
    whole, _ = regions
    import_case_folder(store, whole)
    with reading_repeatedly(lambda: _national_and_region(store)) as readers:
        for weeks in range(1, REPLACEMENTS + 1):
            import_case_folder(store, whole, AS_OF + timedelta(weeks=weeks))
    assert readers.errors == []
    assert {national for national, _, _ in readers.results} == {_national_and_region(store)[0]}


@pytest.mark.slow
def test_two_imports_at_once_both_land(store: Store, regions: tuple[Path, Path]) -> None:
    whole, half = regions
    dates = [AS_OF, AS_OF + timedelta(days=7)]
    errors: list[BaseException] = []

    def load(folder: Path, on: date) -> None:
        try:
            import_case_folder(store, folder, on)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=load, args=(whole, dates[0])),
        threading.Thread(target=load, args=(half, dates[1])),
        threading.Thread(target=load, args=(half, dates[0])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    with store.reading() as connection:
        stored = [record.as_of for record in list_snapshots(connection)]
    assert stored == dates


@pytest.mark.slow
def test_the_same_date_imported_twice_at_once_ends_with_the_later_import(
    store: Store, regions: tuple[Path, Path]
) -> None:
    whole, half = regions
    # (replaced an earlier import, snapshot id, cases): the import that began its transaction
    # second found the first one's snapshot, so it is the one that must be left.
    finished: list[tuple[bool, int, int]] = []
    lock = threading.Lock()

    def load(folder: Path) -> None:
        summary = import_case_folder(store, folder)
        with lock:
            finished.append((summary.replaced, summary.snapshot_id, summary.cases))

    threads = [threading.Thread(target=load, args=(folder,)) for folder in (whole, half)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(replaced for replaced, _, _ in finished) == [False, True]
    _, last_id, last_cases = max(finished)
    cases = schema.table_of(schema.SnapshotCase)
    with store.reading() as connection:
        (record,) = list_snapshots(connection)
        stored = connection.execute(
            select(func.count()).where(cases.c.snapshot_id == record.id)
        ).scalar_one()
    assert (record.id, stored) == (last_id, last_cases)


@pytest.mark.slow
def test_a_read_after_a_write_in_the_same_request_sees_the_write(
    store: Store, regions: tuple[Path, Path]
) -> None:
    whole, half = regions
    import_case_folder(store, whole)
    with store.consistent() as seen:
        before = unit_overview(seen, OPERATOR, "national", "national").summary.caseload
        import_case_folder(store, half)  # another door writes: this request still sees before
        assert unit_overview(seen, OPERATOR, "national", "national").summary.caseload == before
        import_case_folder(seen, whole)  # this request writes: it sees its write
        assert unit_overview(seen, OPERATOR, "national", "national").summary.caseload == before
        import_case_folder(seen, half)
        after = unit_overview(seen, OPERATOR, "national", "national").summary.caseload
    assert after < before


def test_a_write_that_need_not_wait_is_refused_at_once_while_an_import_holds_sqlite(
    store: Store,
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL writers of different rows do not wait for each other")
    with store.changing_snapshots():
        started = time.perf_counter()
        with pytest.raises(StoreBusy), store.writing(wait=False):
            pass
        assert time.perf_counter() - started < 1
    with store.writing(wait=False) as connection:  # and goes ahead once the store is free
        connection.execute(select(1))


def test_reading_a_store_with_no_snapshot_says_so(store: Store) -> None:
    with pytest.raises(NotFound, match="no snapshots"):
        unit_overview(store, OPERATOR, "national", "national")


def _write_lock_held(url: str) -> bool:
    """Whether some process holds the store's write lock now."""
    if url.startswith("sqlite"):
        import sqlite3

        probe = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            ).scalar_one()
        return bool(held)
    finally:
        engine.dispose()


def _results(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored result, without the snapshot's id (a re-import gives a new one)."""
    engine = create_engine(url)
    try:
        found: dict[str, list[tuple[Any, ...]]] = {}
        with engine.connect() as connection:
            for model in (schema.OwnerWorkload, schema.UnitWorkload, schema.OwnerCaseload):
                table = schema.table_of(model)
                columns = [c for c in table.columns if c.name != "snapshot_id"]
                rows = connection.execute(select(*columns)).all()
                found[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return found
    finally:
        engine.dispose()


def _content(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table. PostgreSQL's sequences are left out: a transaction that
    never committed still moves them on, by design, and leaves no row behind."""
    content = database_content(url)
    content.pop("__sequences", None)
    return content


@pytest.mark.slow
def test_an_import_killed_mid_way_leaves_the_store_as_it_was_and_imports_again(
    store: Store, database_url: str, regions: tuple[Path, Path]
) -> None:
    whole, _ = regions
    import_case_folder(store, whole)
    store.engine.dispose()
    before, results_before = _content(database_url), _results(database_url)
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("WMT_DATABASE_URL", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "wmt", "import", str(whole), "--db", database_url],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _write_lock_held(database_url):
            assert child.poll() is None, "the import finished before it could be stopped"
            assert time.monotonic() < deadline, "the import never took the write lock"
            time.sleep(0.002)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 60
    while _write_lock_held(database_url):  # PostgreSQL ends the orphaned transaction itself
        assert time.monotonic() < deadline, "the killed import's lock was never released"
        time.sleep(0.05)
    assert _content(database_url) == before  # not a row of the killed import's
    import_case_folder(store, whole)  # the same import again, to the end
    assert _results(database_url) == results_before
