"""A small, bounded pool of PostgreSQL connections for one process.

A web process serves requests from dozens of threads; one connection per
thread would exhaust the server's ``max_connections`` as soon as a few
processes run. Here a thread holds a connection only for one statement, or
for the length of a transaction. Connections are opened on demand (no
background threads), a broken one is dropped when it comes back, and a thread
that finds every connection busy waits up to ``timeout`` seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import pq

from papertide.exceptions import DatabaseUnavailableError
from papertide.store.postgres.connection import PgConnection, connect

DEFAULT_POOL_SIZE = 10
WAIT_SECONDS = 30.0


class ConnectionPool:
    def __init__(self, url: str, size: int = DEFAULT_POOL_SIZE,
                 timeout: float = WAIT_SECONDS) -> None:
        self.url = url
        self.size = size
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[PgConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[PgConnection]:
        """A connection for the body's statements; returned (or dropped if broken) after."""
        if not self._slots.acquire(timeout=self.timeout):
            raise DatabaseUnavailableError(
                f"all {self.size} database connections of this process stayed busy for "
                f"{self.timeout:.0f} s; try again (or raise database_pool_size)")
        connection: PgConnection | None = None
        try:
            connection = self._take_idle() or connect(self.url)
            yield connection
        finally:
            if connection is not None:
                self._give_back(connection)
            self._slots.release()

    def drop_idle(self) -> None:
        """Close every idle connection: one failed, so the server likely dropped them all."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _take_idle(self) -> PgConnection | None:
        with self._lock:
            while self._idle:
                connection = self._idle.pop()
                if connection.usable:
                    return connection
                connection.close()
        return None

    def _give_back(self, connection: PgConnection) -> None:
        reusable = (connection.usable
                    and connection.raw.info.transaction_status == pq.TransactionStatus.IDLE)
        with self._lock:
            if reusable and not self._closed:
                self._idle.append(connection)
                return
        connection.close()
