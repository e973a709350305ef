"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs in its own transaction, so a failure leaves the
database at the previous version. Never edit a released migration: add one.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable

from papertide.exceptions import SchemaVersionError

Migration = Callable[[sqlite3.Connection], None]


def _execute_script(connection: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one: ``executescript`` would commit mid-migration."""
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _v1_papers(connection: sqlite3.Connection) -> None:
    _execute_script(connection,
        """
        CREATE TABLE papers (
            arxiv_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            abstract TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            primary_category TEXT,
            categories TEXT NOT NULL DEFAULT '[]',
            comments TEXT,
            journal_ref TEXT,
            doi TEXT,
            license TEXT,
            latest_version INTEGER,
            submitted_at TEXT,
            updated_at TEXT,
            announced_date TEXT,
            announced_is_estimate INTEGER NOT NULL DEFAULT 0,
            first_stored_at TEXT NOT NULL,
            last_changed_at TEXT NOT NULL,
            change_seq INTEGER NOT NULL
        );
        CREATE INDEX papers_by_announced ON papers (announced_date, submitted_at);
        CREATE UNIQUE INDEX papers_by_change ON papers (change_seq);
        CREATE TABLE paper_versions (
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            submitted_at TEXT,
            PRIMARY KEY (arxiv_id, version)
        ) WITHOUT ROWID;
        """
    )


def _v2_sources_observations_meta(connection: sqlite3.Connection) -> None:
    _execute_script(connection,
        """
        CREATE TABLE paper_sources (
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            PRIMARY KEY (arxiv_id, source)
        ) WITHOUT ROWID;
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            arxiv_id TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            signal TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            value_number REAL,
            value_text TEXT,
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX observations_by_paper ON observations (arxiv_id, signal, observed_at);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """
    )
    connection.execute(
        "INSERT INTO meta (key, value) VALUES ('instance_id', ?)", (secrets.token_hex(16),)
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_papers, _v2_sources_observations_meta)
LATEST_VERSION = len(MIGRATIONS)


def current_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring the schema up to ``target``; returns the version reached."""
    version = current_version(connection)
    if version > LATEST_VERSION:
        raise SchemaVersionError(
            f"the database is at schema version {version}, but this papertide only knows "
            f"up to {LATEST_VERSION}: upgrade papertide"
        )
    while version < target:
        migration = MIGRATIONS[version]
        connection.execute("BEGIN IMMEDIATE")
        try:
            migration(connection)
            version += 1
            connection.execute(f"PRAGMA user_version = {version}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return version
