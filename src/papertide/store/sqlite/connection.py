"""Opening SQLite connections (driver errors are translated by ``SqlMixin._guard``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papertide.exceptions import StorageError
from papertide.store.write_wait import LONG_WAIT_SECONDS

BUSY_TIMEOUT_MS = round(LONG_WAIT_SECONDS * 1000)


def connect(path: Path) -> sqlite3.Connection:
    """A connection in WAL mode: readers never block the one writer."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA cache_size = -65536")
        return connection
    except (sqlite3.Error, OSError) as error:
        raise StorageError(f"cannot open the database {path}: {error}") from error
