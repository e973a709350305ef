"""`papertide db upgrade` and `papertide db copy`, run as an operator runs them.

Every test copies between real databases: SQLite files in tmp_path and
throw-away databases on the test PostgreSQL server, whichever engine the rest
of the suite runs on.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from papertide.app import Papertide
from papertide.store.factory import open_store
from papertide.store.postgres.migrations import LATEST_VERSION as POSTGRES_LATEST
from papertide.store.sqlite import migrations as sqlite_migrations
from papertide.store.transfer.verify import row_digest
from papertide.subscriptions.models import Preferences
from tests.cli.conftest import RunCli
from tests.cli.copy_data import VECTOR_MODEL, fill_database
from tests.helpers import FIXED_NOW, all_papers, free_port, make_record, open_test_app
from tests.postgres import test_databases

SOURCE_TEMPLATE_KEY = "copy-source-template"


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with rows in every table (built once, copied per test)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "papertide.db"
    fill_database(folder / "data", f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")]
        empty = [name for name in tables
                 if connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == 0]
    assert not empty, f"copy_data.fill_database leaves these tables empty: {empty}"
    return path


@pytest.fixture
def source_url(filled_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "old" / "papertide.db"
    path.parent.mkdir()
    shutil.copy(filled_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_postgres(tmp_path: Path) -> Callable[[str], str]:
    """An empty PostgreSQL database per name (no papertide schema in it yet)."""
    return lambda name: test_databases().empty_url(str(tmp_path / name))


@pytest.fixture
def opened_apps(tmp_path: Path) -> Iterator[Callable[[str], Papertide]]:
    apps: list[Papertide] = []

    def open_on(url: str) -> Papertide:
        app = open_test_app(tmp_path / f"app{len(apps)}", database_url=url)
        apps.append(app)
        return app

    yield open_on
    for app in apps:
        app.close()


def copy(run_cli: RunCli, source: str, target: str, *options: str
         ) -> subprocess.CompletedProcess[str]:
    return run_cli("db", "copy", "--from", source, "--to", target, *options)


def verification(output: str) -> dict[str, tuple[str, str, str]]:
    """Table name → (source rows, target rows, checksum verdict), from the printed table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("table "))
    found: dict[str, tuple[str, str, str]] = {}
    for line in lines[start + 1:]:
        parts = line.split()
        if len(parts) != 4:
            break
        found[parts[0]] = (parts[1], parts[2], parts[3])
    return found


def verdicts(output: str) -> dict[str, str]:
    return {table: row[2] for table, row in verification(output).items()}


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")}


def pg_rows(url: str, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as connection:
        return [tuple(row) for row in connection.execute(sql, parameters).fetchall()]


def same_deployment(old: Papertide, new: Papertide) -> None:
    """What people see: papers, signals, accounts, libraries, digests, vectors, settings."""
    papers = all_papers(old.store)
    assert papers and all_papers(new.store) == papers
    ids = sorted(papers)
    assert [new.observations(i) for i in ids] == [old.observations(i) for i in ids]
    assert new.store.vote_counts(ids) == old.store.vote_counts(ids)
    users = old.store.list_users()
    assert new.store.list_users() == users
    for user in users:
        assert new.store.saved_papers(user.id, None, 50, 0) == \
            old.store.saved_papers(user.id, None, 50, 0)
        assert new.store.library_tags(user.id) == old.store.library_tags(user.id)
        assert new.store.interest_filters(user.id) == old.store.interest_filters(user.id)
    assert new.store.get_session("session-hash") == old.store.get_session("session-hash")
    assert new.store.topic("model-merging") == old.store.topic("model-merging")
    assert new.store.subscriber_by_email("reader@example.org") == \
        old.store.subscriber_by_email("reader@example.org")
    assert new.store.outbox_records(["pending"], 10) == old.store.outbox_records(["pending"], 10)
    assert new.store.mailed_among(ids) == old.store.mailed_among(ids)
    old_vector = old.store.get_vector(ids[0], VECTOR_MODEL)
    new_vector = new.store.get_vector(ids[0], VECTOR_MODEL)
    assert old_vector is not None and new_vector is not None
    assert np.array_equal(new_vector, old_vector)
    assert new.store.embedding_watermark(VECTOR_MODEL) == old.store.embedding_watermark(
        VECTOR_MODEL)
    assert new.store.instance_id == old.store.instance_id
    assert new.store.get_meta("note") == "copied along"


def test_sqlite_to_postgresql_copies_every_table_and_the_app_sees_the_same_papertide(
    run_cli: RunCli, source_url: str, empty_postgres: Callable[[str], str],
    opened_apps: Callable[[str], Papertide],
) -> None:
    target = empty_postgres("new")
    result = copy(run_cli, source_url, target, "--batch-size", "7")

    assert result.returncode == 0, result.stderr
    source_tables = sqlite_tables(Path(source_url.removeprefix("sqlite:///")))
    assert verdicts(result.stdout) == dict.fromkeys(source_tables, "ok")
    assert "Every table matches" in result.stdout and "papertide reindex" in result.stdout
    old, new = opened_apps(source_url), opened_apps(target)
    same_deployment(old, new)

    new.sync_search_index(rebuild=True)  # what `papertide reindex` does first
    paper = next(paper for paper in all_papers(old.store).values()
                 if re.fullmatch(r"[A-Za-z ]{20,}", paper.title))
    assert paper.arxiv_id in [found.arxiv_id for found in
                              new.search(f'"{paper.title}"', mode="keyword").page.papers]
    # New rows get ids above every id the old deployment handed out (a deleted
    # subscriber's id stays retired: it is in links people were mailed).
    retired_subscriber = 2
    assert new.store.add_user("new@example.org", False, FIXED_NOW).id > max(
        user.id for user in old.store.list_users())
    added = new.store.add_subscriber("new@example.org", Preferences(), FIXED_NOW)
    assert added.id > retired_subscriber


def test_postgresql_back_to_sqlite_gives_the_same_database(
    run_cli: RunCli, source_url: str, empty_postgres: Callable[[str], str],
    opened_apps: Callable[[str], Papertide], tmp_path: Path,
) -> None:
    middle = empty_postgres("middle")
    final = f"sqlite:///{tmp_path / 'back' / 'papertide.db'}"
    assert copy(run_cli, source_url, middle).returncode == 0
    back = copy(run_cli, middle, final)

    assert back.returncode == 0, back.stderr
    assert set(verdicts(back.stdout).values()) == {"ok"}
    again = copy(run_cli, source_url, final, "--verify-only")
    assert again.returncode == 0, again.stderr
    assert set(verdicts(again.stdout).values()) == {"ok"}
    old, new = opened_apps(source_url), opened_apps(final)
    same_deployment(old, new)
    for app in (old, new):
        app.sync_search_index(rebuild=True)
    query = "attention"
    assert [p.arxiv_id for p in new.search(query, mode="keyword").page.papers] == \
        [p.arxiv_id for p in old.search(query, mode="keyword").page.papers]
    added = new.store.add_subscriber("new@example.org", Preferences(), FIXED_NOW)
    assert added.id == 3  # the old deployment handed out 1 and 2


def count_papers(url: str) -> int:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return 0
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10) as connection:
            try:
                return int(connection.execute("SELECT count(*) FROM papers").fetchone()[0])
            except sqlite3.OperationalError:
                return 0  # the schema is not there yet
    try:
        return int(pg_rows(url, "SELECT count(*) FROM papers")[0][0])
    except psycopg.errors.UndefinedTable:
        return 0


@pytest.mark.parametrize("target_engine", ["postgresql", "sqlite"])
def test_a_killed_copy_resumes_where_it_stopped_and_duplicates_nothing(
    target_engine: str, tmp_path: Path, cli_env: dict[str, str], run_cli: RunCli,
    empty_postgres: Callable[[str], str],
) -> None:
    source = f"sqlite:///{tmp_path / 'big.db'}"
    store = open_store(source)
    try:
        records = [make_record(f"2501.{number:05d}", version_count=1) for number in range(3_000)]
        for start in range(0, len(records), 1_000):
            store.upsert_papers(records[start:start + 1_000], FIXED_NOW)
    finally:
        store.close()
    target = (empty_postgres("resumed") if target_engine == "postgresql"
              else f"sqlite:///{tmp_path / 'resumed.db'}")
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "db", "copy", "--from", source, "--to", target,
         "--batch-size", "5"],
        env=cli_env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while count_papers(target) < 400 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.kill()
    process.wait()

    copied_before = count_papers(target)
    assert 400 <= copied_before < 3_000, "the copy should have been stopped half-way"
    resumed = copy(run_cli, source, target, "--batch-size", "500")
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed an interrupted copy" in resumed.stdout
    checked = verification(resumed.stdout)
    assert set(verdicts(resumed.stdout).values()) == {"ok"}
    for table in ("papers", "paper_versions", "paper_sources"):
        assert checked[table] == ("3,000", "3,000", "ok")
    assert count_papers(target) == 3_000


def test_copying_again_after_the_end_only_compares(
    run_cli: RunCli, source_url: str, tmp_path: Path,
) -> None:
    target = f"sqlite:///{tmp_path / 'new.db'}"
    assert copy(run_cli, source_url, target).returncode == 0

    again = copy(run_cli, source_url, target)

    assert again.returncode == 0, again.stderr
    assert "holds a finished copy" in again.stdout
    assert set(verdicts(again.stdout).values()) == {"ok"}


def test_the_copy_refuses_a_target_that_holds_other_data(
    run_cli: RunCli, source_url: str, empty_postgres: Callable[[str], str], tmp_path: Path,
) -> None:
    target = empty_postgres("busy")
    store = open_store(target)
    try:
        store.upsert_papers([make_record("2401.00001")], FIXED_NOW)
        own_instance = store.instance_id
    finally:
        store.close()

    result = copy(run_cli, source_url, target)

    assert result.returncode == 1
    assert result.stderr.startswith("Error: the target database holds data already (in papers")
    assert len(result.stderr.splitlines()) == 1
    assert pg_rows(target, "SELECT arxiv_id FROM papers") == [("2401.00001",)]
    assert pg_rows(target, "SELECT key, value FROM meta") == [("instance_id", own_instance)]


def test_the_copy_refuses_a_target_that_holds_a_copy_of_another_database(
    run_cli: RunCli, source_url: str, tmp_path: Path,
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    open_store(other).close()
    target = f"sqlite:///{tmp_path / 'new.db'}"
    assert copy(run_cli, other, target).returncode == 0

    result = copy(run_cli, source_url, target)

    assert result.returncode == 1
    assert "holds a copy of another papertide database" in result.stderr


def test_verify_only_finds_a_changed_row_and_a_missing_one(
    run_cli: RunCli, source_url: str, tmp_path: Path,
) -> None:
    target_path = tmp_path / "new.db"
    assert copy(run_cli, source_url, f"sqlite:///{target_path}").returncode == 0
    with sqlite3.connect(target_path) as connection:
        connection.execute("UPDATE papers SET title = title || '.' WHERE arxiv_id = "
                           "(SELECT min(arxiv_id) FROM papers)")
        connection.execute("DELETE FROM library_tags WHERE tag = 'to read'")

    result = copy(run_cli, source_url, f"sqlite:///{target_path}", "--verify-only")

    assert result.returncode == 1
    found = verdicts(result.stdout)
    assert {name for name, verdict in found.items() if verdict != "ok"} == {"papers",
                                                                           "library_tags"}
    assert "differs from the source in papers, library_tags" in result.stderr or \
        "differs from the source in library_tags, papers" in result.stderr


def test_an_older_source_is_left_alone_until_it_is_upgraded(
    run_cli: RunCli, tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    sqlite_migrations.migrate(connection, target=sqlite_migrations.LATEST_VERSION - 1)
    connection.close()
    source, target = f"sqlite:///{path}", f"sqlite:///{tmp_path / 'new.db'}"

    refused = copy(run_cli, source, target)

    assert refused.returncode == 1
    assert f"run `papertide db upgrade --database-url {source}` first" in refused.stderr
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == \
            sqlite_migrations.LATEST_VERSION - 1
    assert not (tmp_path / "new.db").exists()
    upgraded = run_cli("db", "upgrade", "--database-url", source)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (f"schema version {sqlite_migrations.LATEST_VERSION - 1} → "
            f"{sqlite_migrations.LATEST_VERSION}") in upgraded.stdout
    assert copy(run_cli, source, target).returncode == 0


def foreign_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    return path


@pytest.mark.parametrize(("source", "target", "message"), [
    ("mysql://db/papers", "sqlite:///{tmp}/new.db", "unsupported database URL scheme 'mysql'"),
    ("sqlite:///{tmp}/missing.db", "sqlite:///{tmp}/new.db", "there is no database at"),
    ("postgresql://papertide@127.0.0.1:{port}/papertide", "sqlite:///{tmp}/new.db",
     "cannot connect to the database postgresql://papertide@127.0.0.1:{port}/papertide"),
    ("sqlite:///{tmp}/notes.txt", "sqlite:///{tmp}/new.db", "is not a SQLite database"),
    ("sqlite:///{tmp}/recipes.db", "sqlite:///{tmp}/new.db",
     "is not a papertide database (it holds 1 other tables)"),
    ("{source}", "sqlite:///{tmp}/recipes.db", "holds 1 tables that are not papertide's"),
    ("{source}", "{source}", "--from and --to name the same database"),
    ("{source}", "", "--from and --to each need a database URL"),
])
def test_unusable_databases_are_named_in_one_line(
    run_cli: RunCli, source_url: str, tmp_path: Path, source: str, target: str, message: str,
) -> None:
    (tmp_path / "notes.txt").write_text("not a database\n", encoding="utf-8")
    foreign_sqlite(tmp_path / "recipes.db")
    values = {"tmp": str(tmp_path), "port": str(free_port()), "source": source_url}

    result = copy(run_cli, source.format(**values), target.format(**values))

    lines = result.stderr.strip().splitlines()
    assert message.format(**values) in lines[-1] and lines[-1].startswith("Error: ")
    usage_error = result.returncode == 2  # click shows the usage line above it
    assert result.returncode == 1 or usage_error
    assert len(lines) == 1 or usage_error, result.stderr
    assert not (tmp_path / "new.db").exists()
    assert sqlite_tables(tmp_path / "recipes.db") == {"recipes"}


def test_two_upgrades_at_once_migrate_a_fresh_postgresql_database_once(
    cli_env: dict[str, str], run_cli: RunCli, empty_postgres: Callable[[str], str],
    tmp_path: Path,
) -> None:
    url = empty_postgres("fresh")
    processes = [subprocess.Popen(
        [sys.executable, "-m", "papertide", "db", "upgrade", "--database-url", url],
        env=cli_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    assert pg_rows(url, "SELECT version FROM schema_version") == [(POSTGRES_LATEST,)]
    assert pg_rows(url, "SELECT count(*) FROM pg_class WHERE relname = 'papers'") == [(1,)]
    assert len(pg_rows(url, "SELECT value FROM meta WHERE key = 'instance_id'")) == 1
    again = run_cli("db", "upgrade", "--database-url", url)
    assert again.returncode == 0
    assert f"schema version {POSTGRES_LATEST}, up to date" in again.stdout


def test_upgrade_uses_the_settings_database_and_creates_a_new_sqlite_one(
    run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path,
) -> None:
    env = {key: value for key, value in cli_env.items() if key != "PAPERTIDE_DATABASE_URL"}

    first = run_cli("db", "upgrade", env=env)
    second = run_cli("db", "upgrade", env=env)

    assert first.returncode == 0, first.stderr
    assert f"(SQLite): schema version 0 → {sqlite_migrations.LATEST_VERSION}" in first.stdout
    assert str(tmp_path / "data" / "papertide.db") in first.stdout
    assert (tmp_path / "data" / "papertide.db").exists()
    assert "up to date" in second.stdout


def test_the_checksum_tells_values_apart_the_way_the_engines_store_them() -> None:
    assert row_digest((b"\x00\xff",)) == row_digest((memoryview(b"\x00\xff"),))
    assert row_digest((1,)) != row_digest((1.0,))
    assert row_digest((None,)) != row_digest(("None",))
    assert row_digest(("a", "b")) != row_digest(("ab", ""))
    assert row_digest((0.1 + 0.2,)) != row_digest((0.3,))
