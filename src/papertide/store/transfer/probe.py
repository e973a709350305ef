"""Look at a database before opening it: opening a store migrates it.

``papertide db upgrade`` reports the version it found; ``papertide db copy``
must not migrate (or create) the database it copies from, and must not put
papertide's schema into a database that holds something else.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from papertide.exceptions import ConfigError, StorageError
from papertide.store.urls import redact_url, sqlite_path


@dataclass(frozen=True, slots=True)
class DatabaseState:
    """What a database URL points at, read without changing anything."""

    engine: str  # "sqlite" or "postgresql"
    shown: str  # the URL without its password
    location: str  # the resolved file, or host, port and database name
    exists: bool  # a SQLite file may not be there yet; PostgreSQL databases always are
    version: int  # 0: no papertide schema yet
    latest_version: int  # the version this papertide migrates to
    other_tables: int  # tables in a database without papertide's schema

    @property
    def is_papertide(self) -> bool:
        return self.version > 0


def probe_database(database_url: str) -> DatabaseState:
    path = sqlite_path(database_url)
    if path is not None:
        return _probe_sqlite(path, redact_url(database_url))
    return _probe_postgres(database_url)


def _probe_sqlite(path: Path, shown: str) -> DatabaseState:
    from papertide.store.sqlite.migrations import LATEST_VERSION

    location = str(path.resolve())
    if not path.exists():
        return DatabaseState("sqlite", shown, location, False, 0, LATEST_VERSION, 0)
    if not path.is_file():
        raise ConfigError(f"{shown} names {path}, which is not a file")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            tables = int(connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise StorageError(f"{path} is not a SQLite database: {error}") from error
    return DatabaseState("sqlite", shown, location, True, version, LATEST_VERSION,
                         tables if version == 0 else 0)


def _probe_postgres(database_url: str) -> DatabaseState:
    import psycopg

    from papertide.store.postgres.connection import connect
    from papertide.store.postgres.migrations import LATEST_VERSION, current_version

    connection = connect(database_url)  # DatabaseUnavailableError says why it cannot
    try:
        version = current_version(connection.raw)
        tables, location = connection.raw.execute(
            "SELECT (SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema()), "
            "coalesce(inet_server_addr()::text, 'local') || ':' || "
            "current_setting('port') || '/' || current_database()"
        ).fetchone() or (0, "")
    except psycopg.Error as error:
        raise StorageError(f"cannot read {redact_url(database_url)}: {error}") from error
    finally:
        connection.close()
    return DatabaseState("postgresql", redact_url(database_url), str(location), True, version,
                         LATEST_VERSION, int(tables) if version == 0 else 0)
