"""PostgresStore: the Store protocol on a PostgreSQL database shared by many processes.

Each thread keeps its own autocommit connection (re-opened when the server
dropped it), so a read never waits for another thread. Writers are
serialised across every process by a transaction-scoped advisory lock: the
shared SQL relies on it as it relies on SQLite's single writer (paper and
vector change sequences are ``max + 1``, and the search indexes follow them in
order; read-then-write steps such as claiming outbox messages stay atomic).
Writes are short batches, so the lock is held for milliseconds to a second
(an import batch); reads never take it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from papertide.exceptions import StorageError
from papertide.store.postgres.connection import POSTGRESQL, PgConnection, connect
from papertide.store.postgres.migrations import current_version, migrate
from papertide.store.sql.accounts import AccountsMixin
from papertide.store.sql.digest import DigestMixin
from papertide.store.sql.library import LibraryMixin
from papertide.store.sql.papers import PapersMixin
from papertide.store.sql.recommend import RecommendMixin
from papertide.store.sql.signals import SignalsMixin
from papertide.store.sql.topics import TopicsMixin
from papertide.store.sql.vectors import VectorsMixin

# pg_advisory_xact_lock key every write transaction takes ("papertide writes").
WRITE_LOCK = 0x70617065_72777269


class PostgresStore(PapersMixin, AccountsMixin, LibraryMixin, SignalsMixin, TopicsMixin,
                    VectorsMixin, DigestMixin, RecommendMixin):
    """Papers and signals in one PostgreSQL database."""

    dialect = POSTGRESQL

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._connections: list[PgConnection] = []
        self._connections_lock = threading.Lock()
        try:
            with self._guard("upgrading the schema"):
                migrate(self._connection().raw)
        except BaseException:
            self.close()
            raise

    # -- connections and transactions -------------------------------------------------

    def _connection(self) -> PgConnection:
        connection: PgConnection | None = getattr(self._local, "connection", None)
        if connection is not None and not connection.usable:
            if getattr(self._local, "depth", 0):
                raise StorageError("the database connection was lost inside a transaction")
            self._forget(connection)
            connection = None
        if connection is None:
            connection = connect(self.url)
            self._local.connection = connection
            self._local.depth = 0
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _forget(self, connection: PgConnection) -> None:
        with self._connections_lock:
            if connection in self._connections:
                self._connections.remove(connection)
        connection.close()
        self._local.connection = None

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        connection = self._connection()
        with self._write_lock:
            if self._local.depth:
                self._local.depth += 1
                try:
                    yield
                finally:
                    self._local.depth -= 1
                return
            with self._guard("starting a transaction"):
                connection.execute("BEGIN")
                connection.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            self._local.depth = 1
            try:
                yield
            except BaseException:
                if connection.usable:
                    connection.execute("ROLLBACK")
                raise
            else:
                with self._guard("committing"):
                    connection.execute("COMMIT")
            finally:
                self._local.depth = 0

    @property
    def schema_version(self) -> int:
        with self._guard("reading the schema version"):
            return current_version(self._connection().raw)
