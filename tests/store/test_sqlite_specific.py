"""What only the SQLite engine has: its migrations, files, processes and threads."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from papertide.exceptions import SchemaVersionError, StorageError
from papertide.models import Observation
from papertide.store.sqlite import SQLiteStore
from papertide.store.sqlite.migrations import LATEST_VERSION, migrate
from tests.helpers import FIXED_NOW, make_record, utc


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "papertide.db"


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(db_path)
    yield store
    store.close()


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def _open_handles(path: Path) -> int:
    """How many file descriptors of this process point at ``path`` (Linux)."""
    descriptors = Path("/proc/self/fd")
    if not descriptors.is_dir():
        pytest.skip("needs /proc to count open files")
    count = 0
    for entry in descriptors.iterdir():
        try:
            count += Path(os.readlink(entry)) == path
        except OSError:
            continue
    return count


def _make_v1_database(path: Path, extra_sql: str = "") -> None:
    """A database as the first release left it, holding one paper."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        assert migrate(connection, target=1) == 1
        connection.execute(
            "INSERT INTO papers (arxiv_id, title, abstract, authors, categories, latest_version,"
            " announced_date, announced_is_estimate, first_stored_at, last_changed_at,"
            " change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ("2501.00001", "Written by version one", "Old abstract.", '["Ada Lovelace"]',
             '["cs.LG"]', 1, "2025-01-07", 0, "2025-01-06T10:00:00+00:00",
             "2025-01-06T10:00:00+00:00", 1),
        )
        connection.execute(
            "INSERT INTO paper_versions (arxiv_id, version, submitted_at) VALUES (?, ?, ?)",
            ("2501.00001", 1, "2025-01-06T09:00:00+00:00"),
        )
        if extra_sql:
            connection.execute(extra_sql)


def test_a_new_database_is_created_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "papertide.db"
    store = SQLiteStore(path)
    store.close()
    assert _user_version(path) == LATEST_VERSION


def test_an_old_database_is_upgraded_in_place(db_path: Path) -> None:
    _make_v1_database(db_path)

    store = SQLiteStore(db_path)
    try:
        assert store.schema_version == LATEST_VERSION
        paper = store.get_paper("2501.00001")
        assert paper is not None
        assert paper.title == "Written by version one"
        assert paper.authors == ("Ada Lovelace",)
        assert paper.announced_date == dt.date(2025, 1, 7)
        assert [v.submitted for v in paper.versions] == [utc(2025, 1, 6, 9)]
        # The tables of the later migrations work on the upgraded file.
        assert store.instance_id
        store.set_meta("marker", "upgraded")
        store.add_observations([Observation("2501.00001", "hf", "upvotes", FIXED_NOW, 3)])
        assert len(store.observations_for("2501.00001")) == 1
        store.upsert_papers([make_record("2501.00001", "Revised", version_count=2,
                                         source="arxiv-kaggle")], FIXED_NOW)
        assert store.max_change_seq() == 2
    finally:
        store.close()
    assert _user_version(db_path) == LATEST_VERSION


def test_a_database_from_a_newer_papertide_is_refused_and_left_alone(db_path: Path) -> None:
    SQLiteStore(db_path).close()
    with closing(sqlite3.connect(db_path, isolation_level=None)) as connection:
        connection.execute("PRAGMA user_version = 99")
    tables_before = _tables(db_path)
    bytes_before = db_path.read_bytes()

    with pytest.raises(SchemaVersionError, match="99") as raised:
        SQLiteStore(db_path)

    assert "upgrade papertide" in str(raised.value)
    assert _open_handles(db_path) == 0
    assert _user_version(db_path) == 99
    assert _tables(db_path) == tables_before
    assert db_path.read_bytes() == bytes_before


def test_a_failing_migration_leaves_the_version_and_tables_unchanged(db_path: Path) -> None:
    # A stray ``meta`` table makes migration 2 fail after it created other tables.
    _make_v1_database(db_path, extra_sql="CREATE TABLE meta (unrelated INTEGER)")

    with pytest.raises(StorageError) as raised:
        SQLiteStore(db_path)

    assert isinstance(raised.value.__cause__, sqlite3.Error)
    assert _user_version(db_path) == 1
    assert "paper_sources" not in _tables(db_path)
    assert "observations" not in _tables(db_path)
    with closing(sqlite3.connect(db_path)) as connection:
        titles = connection.execute("SELECT title FROM papers").fetchall()
    assert titles == [("Written by version one",)]


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(StorageError, match=r"notes\.db"):
        SQLiteStore(path)


def test_two_store_objects_on_one_file_see_each_others_writes(db_path: Path) -> None:
    first, second = SQLiteStore(db_path), SQLiteStore(db_path)
    try:
        first.upsert_papers([make_record("2501.00001")], FIXED_NOW)
        assert second.get_paper("2501.00001") is not None
        second.upsert_papers([make_record("2501.00002"), make_record("2501.00001", "New",
                                                                     version_count=1)], FIXED_NOW)
        paper = first.get_paper("2501.00001")
        assert paper is not None
        assert paper.title == "New"
        assert first.count_papers() == 2
        sequence = [paper.change_seq for paper in first.iter_all_papers()]
        assert sorted(sequence) == [2, 3]
    finally:
        first.close()
        second.close()


def test_another_process_can_write_while_this_one_writes(db_path: Path) -> None:
    SQLiteStore(db_path).close()
    script = textwrap.dedent("""
        import datetime as dt, sys
        from pathlib import Path
        from papertide.models import PaperRecord
        from papertide.store.sqlite import SQLiteStore
        store = SQLiteStore(Path(sys.argv[1]))
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for n in range(40):
            store.upsert_papers([PaperRecord(f"2502.{n:05d}", "other process", "cli")], now)
        store.close()
    """)
    child = subprocess.Popen([sys.executable, "-c", script, str(db_path)],
                             stderr=subprocess.PIPE, text=True)
    store = SQLiteStore(db_path)
    try:
        for number in range(40):
            store.upsert_papers([make_record(f"2501.{number:05d}")], FIXED_NOW)
        _, errors = child.communicate(timeout=60)
        assert child.returncode == 0, errors
        assert store.count_papers() == 80
        sequence = [paper.change_seq for paper in store.iter_all_papers()]
        assert sorted(sequence) == list(range(1, 81))
    finally:
        store.close()


def test_reads_from_several_threads_at_once(sqlite_store: SQLiteStore) -> None:
    ids = [f"2501.{number:05d}" for number in range(1, 301)]
    sqlite_store.upsert_papers(
        [make_record(arxiv_id, announced=dt.date(2025, 1, 6 + number % 5))
         for number, arxiv_id in enumerate(ids)], FIXED_NOW)
    start = threading.Barrier(6)

    def read(worker: int) -> tuple[int, int, int]:
        start.wait(timeout=10)
        totals = set()
        for _ in range(15):
            found = sqlite_store.get_papers(ids)
            page = sqlite_store.list_announced(dt.date(2025, 1, 6), dt.date(2025, 1, 11), 50)
            totals.add((len(found), page.total, len(page.papers)))
        assert len(totals) == 1
        return totals.pop()

    def write() -> None:
        start.wait(timeout=10)
        for number in range(20):
            sqlite_store.upsert_papers([make_record(f"2502.{number:05d}", announced=None)],
                                       FIXED_NOW)

    with ThreadPoolExecutor(max_workers=6) as pool:
        writer = pool.submit(write)
        readers = [pool.submit(read, worker) for worker in range(5)]
        results = [future.result(timeout=60) for future in readers]
        writer.result(timeout=60)

    assert results == [(300, 300, 50)] * 5
    assert sqlite_store.count_papers() == 320
