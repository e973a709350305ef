"""Another process's long write, as a test needs it: the engine's write lock, held.

SQLite: a second connection inside ``BEGIN IMMEDIATE`` (what ``papertide import
--strict`` does for its length). PostgreSQL: the advisory lock every papertide
write transaction takes, held by a connection of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from papertide.store.base import Store
from papertide.store.postgres.store import WRITE_LOCK, PostgresStore
from papertide.store.sqlite.store import SQLiteStore


@contextmanager
def held_write_lock(store: Store) -> Iterator[None]:
    """Hold ``store``'s database write lock from another connection for the block."""
    if isinstance(store, SQLiteStore):
        holder = sqlite3.connect(store.path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    assert isinstance(store, PostgresStore)
    with psycopg.connect(store.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        yield
        holder.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK,))
