"""The SQLite engine: the default, embedded deployment."""

from papertide.store.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore"]
