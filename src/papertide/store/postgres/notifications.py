"""Hearing at once that another process committed papers or vectors.

Every transaction that writes them sends a notification on ``CHANGES_CHANNEL``
when it commits (a trigger, PostgreSQL migration 9). A :class:`ChangeListener` holds a
connection of its own (notifications reach only a session that LISTENs, never
a pooled one) and tells its caller when one arrived. Notifications are a
shortcut, not a promise: one sent while the listener was reconnecting is lost,
so whoever listens also looks now and then on its own.
"""

from __future__ import annotations

from typing import Any

import psycopg

from papertide.exceptions import DatabaseUnavailableError
from papertide.store.postgres.connection import CONNECT_TIMEOUT_SECONDS
from papertide.store.urls import redact_url

CHANGES_CHANNEL = "papertide_changes"


class ChangeListener:
    """A LISTENing connection; not thread-safe (one follower thread owns it)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.Connection[Any] | None = None

    def wait(self, seconds: float) -> bool:
        """Up to ``seconds`` for a notification; True if any came (all pending are read),
        and on a fresh connection (what was sent before it was missed).

        Raises :class:`DatabaseUnavailableError` when the server cannot be reached;
        the next call connects again.
        """
        try:
            if self._connection is None:
                self._connection = self._listening()
                return True
            connection = self._connection
            heard = any(True for _ in connection.notifies(timeout=seconds, stop_after=1))
            if heard:  # several commits in a row: one sync takes them all
                for _ in connection.notifies(timeout=0):
                    pass
            return heard
        except psycopg.Error as error:
            self.close()
            raise DatabaseUnavailableError(
                f"cannot listen for changes in {redact_url(self.url)}: {error}") from error

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _listening(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(self.url, autocommit=True,
                                     connect_timeout=CONNECT_TIMEOUT_SECONDS)
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        return connection
