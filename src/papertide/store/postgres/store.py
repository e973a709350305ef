"""PostgresStore: the Store protocol on a PostgreSQL database shared by many processes.

Connections come from a small pool per process (``pool.py``): a statement
outside a transaction borrows one for just that statement; a transaction keeps
one for its length. Writers are serialised across every process by a
transaction-scoped advisory lock: the shared SQL relies on it as it relies on
SQLite's single writer (paper and vector change sequences are ``max + 1`` and
the search indexes follow them in order: the lock is released only once the
commit is visible, so the sequences commit in the order they were numbered and a
follower reading ``seq > watermark`` never skips a row; read-then-write steps such as
claiming outbox messages stay atomic). Writes are short batches, so the lock is
held for milliseconds to a second (an import batch); reads never take it.

When the server drops connections (a restart, a failover), the statement that
finds out fails with :class:`DatabaseUnavailableError` (the web app answers
503), idle connections are dropped, and a read or a ``BEGIN`` is tried once
more on a fresh connection, so the next request works as soon as the server is back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from papertide.store.postgres.connection import POSTGRESQL, PgConnection
from papertide.store.postgres.migrations import current_version, migrate
from papertide.store.postgres.pool import DEFAULT_POOL_SIZE, ConnectionPool
from papertide.store.sql.accounts import AccountsMixin
from papertide.store.sql.digest import DigestMixin
from papertide.store.sql.discussions import DiscussionsMixin
from papertide.store.sql.embedding_claims import EmbeddingClaimsMixin
from papertide.store.sql.follows import FollowsMixin
from papertide.store.sql.jobs import JobsMixin
from papertide.store.sql.library import LibraryMixin
from papertide.store.sql.mixin import Parameters, busy_error
from papertide.store.sql.papers import PapersMixin
from papertide.store.sql.recommend import RecommendMixin
from papertide.store.sql.signals import SignalsMixin
from papertide.store.sql.topics import TopicsMixin
from papertide.store.sql.vectors import VectorsMixin
from papertide.store.write_wait import is_bounded, write_wait_seconds

# pg_advisory_xact_lock key every write transaction takes ("papertide writes").
WRITE_LOCK = 0x70617065_72777269
_READS = ("select", "with", "show")


class _PooledStatements:
    """Runs each statement on a connection borrowed for just that statement (autocommit)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def execute(self, sql: str, parameters: Parameters = (), /) -> psycopg.Cursor[Any]:
        retry = sql.lstrip().lower().startswith(_READS)
        while True:
            with self._pool.connection() as connection:
                try:
                    return connection.execute(sql, parameters)
                except psycopg.OperationalError:
                    if connection.usable or not retry:
                        raise
                    self._pool.drop_idle()
            retry = False

    def executemany(self, sql: str, parameters: Iterable[Parameters], /) -> psycopg.Cursor[Any]:
        with self._pool.connection() as connection:
            return connection.executemany(sql, parameters)


class PostgresStore(PapersMixin, AccountsMixin, LibraryMixin, SignalsMixin, TopicsMixin,
                    VectorsMixin, EmbeddingClaimsMixin, DigestMixin, RecommendMixin, JobsMixin,
                    FollowsMixin, DiscussionsMixin):
    """Papers and signals in one PostgreSQL database."""

    dialect = POSTGRESQL

    def __init__(self, url: str, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.url = url
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._pool = ConnectionPool(url, pool_size)
        self._statements = _PooledStatements(self._pool)
        try:
            with self._guard("upgrading the schema"), self._pool.connection() as connection:
                migrate(connection.raw)
        except BaseException:
            self.close()
            raise

    # -- connections and transactions -------------------------------------------------

    def _connection(self) -> PgConnection | _PooledStatements:
        """The transaction's connection inside ``transaction()``, else one per statement."""
        pinned: PgConnection | None = getattr(self._local, "pinned", None)
        return pinned if pinned is not None else self._statements

    @contextmanager
    def borrow(self) -> Iterator[PgConnection]:
        """A whole connection for engine-specific work (the transaction's, inside one)."""
        pinned: PgConnection | None = getattr(self._local, "pinned", None)
        if pinned is not None:
            yield pinned
            return
        with self._guard("connecting"), self._pool.connection() as connection:
            yield connection

    def close(self) -> None:
        self._pool.close()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # a person's request waits briefly for this process's other writers (then 503);
        # jobs and imports wait as long as it takes
        if not self._write_lock.acquire(timeout=write_wait_seconds() if is_bounded() else -1):
            raise busy_error("waiting for this process's other writes")
        try:
            if getattr(self._local, "pinned", None) is not None:
                yield  # nested: joins the outer transaction
                return
            with self._guard("running a transaction"), self._begun() as connection:
                self._local.pinned = connection
                try:
                    with self._guard("writing"):
                        yield
                except BaseException:
                    if connection.usable:
                        connection.execute("ROLLBACK")
                    raise
                else:
                    connection.execute("COMMIT")
                finally:
                    self._local.pinned = None
        finally:
            self._write_lock.release()

    @contextmanager
    def _begun(self) -> Iterator[PgConnection]:
        """A pooled connection inside ``BEGIN`` holding the write lock (a stale one is replaced)."""
        for attempt in (1, 2):
            with self._pool.connection() as connection:
                try:
                    # READ COMMITTED whatever the server's default: each statement then
                    # sees every transaction committed before it, so ``max + 1`` read
                    # after the write lock continues the last writer's sequence.
                    connection.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                except psycopg.OperationalError:
                    if connection.usable or attempt == 2:
                        raise
                    self._pool.drop_idle()
                    continue
                try:
                    if is_bounded():  # a person's request: a lock held longer gives a 503
                        wait_ms = round(write_wait_seconds() * 1000)
                        connection.execute(f"SET LOCAL lock_timeout = {wait_ms}")
                    connection.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                    if getattr(self._local, "durable", False):
                        connection.execute("SET LOCAL synchronous_commit TO on")
                except psycopg.Error:
                    if connection.usable:  # back to the pool clean, not in a failed transaction
                        connection.execute("ROLLBACK")
                    raise
                yield connection
                return

    # -- durability ------------------------------------------------------------------------

    @contextmanager
    def _durable(self, durable: bool = True) -> Iterator[None]:
        """The body's transaction commits with a WAL flush, which also makes every earlier
        commit durable (connections commit without waiting for the disk otherwise)."""
        if not durable or getattr(self._local, "durable", False):
            yield
            return
        self._local.durable = True
        try:
            yield
        finally:
            self._local.durable = False

    def flush_outbox(self) -> None:
        with self._durable(), self.transaction(), self._guard("making the outbox durable"):
            # A commit that writes nothing flushes nothing: touch one row.
            self._connection().execute(
                "UPDATE meta SET value = value WHERE key = 'instance_id'")

    @property
    def schema_version(self) -> int:
        with self._guard("reading the schema version"), self.borrow() as connection:
            return current_version(connection.raw)
