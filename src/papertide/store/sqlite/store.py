"""SQLiteStore: the Store protocol on one SQLite file.

Reads use one connection per thread (WAL lets them run beside a write);
writes are serialised by a lock and wrapped in ``BEGIN IMMEDIATE`` so that a
second process (a CLI import while the server runs) waits instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papertide.store.sql.accounts import AccountsMixin
from papertide.store.sql.digest import DigestMixin
from papertide.store.sql.discussions import DiscussionsMixin
from papertide.store.sql.embedding_claims import EmbeddingClaimsMixin
from papertide.store.sql.follows import FollowsMixin
from papertide.store.sql.jobs import JobsMixin
from papertide.store.sql.library import LibraryMixin
from papertide.store.sql.mixin import Dialect, busy_error
from papertide.store.sql.papers import PapersMixin
from papertide.store.sql.recommend import RecommendMixin
from papertide.store.sql.signals import SignalsMixin
from papertide.store.sql.topics import TopicsMixin
from papertide.store.sql.vectors import VectorsMixin
from papertide.store.sqlite.connection import BUSY_TIMEOUT_MS, connect
from papertide.store.sqlite.migrations import current_version, migrate
from papertide.store.write_wait import write_wait_seconds

SQLITE = Dialect(
    name="sqlite",
    errors=(sqlite3.Error,),
    integrity_errors=(sqlite3.IntegrityError,),
    unavailable_errors=(),
    busy_messages=("database is locked", "database is busy", "database table is locked"),
)


class SQLiteStore(PapersMixin, AccountsMixin, LibraryMixin, SignalsMixin, TopicsMixin,
                  VectorsMixin, EmbeddingClaimsMixin, DigestMixin, RecommendMixin, JobsMixin,
                  FollowsMixin, DiscussionsMixin):
    """Papers and signals in one SQLite database file."""

    dialect = SQLITE

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        try:
            with self._guard("upgrading the schema"):
                migrate(self._connection())
        except BaseException:
            self.close()  # a refused database must not stay open (and locked) behind us
            raise

    # -- connections and transactions -------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = connect(self.path)
            self._local.connection = connection
            self._local.depth = 0
            self._local.busy_ms = BUSY_TIMEOUT_MS
            with self._connections_lock:
                self._connections.append(connection)
        # the thread serves a person's request now and a job later: wait as long as the caller may
        busy_ms = round(write_wait_seconds() * 1000)
        if busy_ms != self._local.busy_ms:
            connection.execute(f"PRAGMA busy_timeout = {busy_ms}")
            self._local.busy_ms = busy_ms
        return connection

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        connection = self._connection()
        # a thread of this process waits for another's write as long as SQLite would
        if not self._write_lock.acquire(timeout=write_wait_seconds()):
            raise busy_error("waiting for this process's other writes")
        try:
            if self._local.depth:
                self._local.depth += 1
                try:
                    yield
                finally:
                    self._local.depth -= 1
                return
            with self._guard("starting a transaction"):
                connection.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                yield
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            else:
                with self._guard("committing"):
                    connection.execute("COMMIT")
            finally:
                self._local.depth = 0
        finally:
            self._write_lock.release()

    @property
    def schema_version(self) -> int:
        with self._guard("reading the schema version"):
            return current_version(self._connection())


    # -- durability of the outbox ---------------------------------------------------------

    def flush_outbox(self) -> None:
        with self._guard("making the outbox durable"):
            self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    @contextmanager
    def _durable(self, durable: bool = True) -> Iterator[None]:
        """Commit with a full fsync, which also makes every earlier commit durable."""
        if not durable:
            yield
            return
        connection = self._connection()
        with self._guard("setting durability"):
            connection.execute("PRAGMA synchronous = FULL")
        try:
            yield
        finally:
            with self._guard("setting durability"):
                connection.execute("PRAGMA synchronous = NORMAL")
