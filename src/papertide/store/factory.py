"""Choose the storage engine from the database URL."""

from __future__ import annotations

from pathlib import Path

from papertide.store.base import Store
from papertide.store.urls import sqlite_path


def open_store(database_url: str, pool_size: int = 10) -> Store:
    """Open the engine a URL names.

    ``pool_size`` bounds a PostgreSQL store's connections (SQLite has one per thread).
    SQLite URLs follow SQLAlchemy's convention: ``sqlite:///relative.db`` and
    ``sqlite:////absolute/path.db`` (four slashes); a plain path works too.
    """
    path = sqlite_path(database_url)
    if path is not None:
        return _open_sqlite(path)
    from papertide.store.postgres import PostgresStore

    return PostgresStore(database_url, pool_size)


def _open_sqlite(path: Path) -> Store:
    from papertide.store.sqlite import SQLiteStore

    return SQLiteStore(path)
