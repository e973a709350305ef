"""Opening PostgreSQL connections (psycopg 3) and running the shared SQL on them.

The shared SQL (``store/sql``) is written with ``?`` and ``:name``
placeholders, as SQLite takes them; :class:`PgConnection` rewrites them to
psycopg's ``%s`` and ``%(name)s`` once per statement text (cached).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.types.numeric import FloatLoader

from papertide.exceptions import DatabaseUnavailableError
from papertide.store.sql.mixin import Dialect, Parameters
from papertide.store.urls import redact_url

CONNECT_TIMEOUT_SECONDS = 10
POSTGRESQL = Dialect(
    name="postgresql",
    errors=(psycopg.Error,),
    integrity_errors=(psycopg.IntegrityError,),
    unavailable_errors=(psycopg.OperationalError,),
    lock_rows=" FOR UPDATE SKIP LOCKED",
    # a lock not granted within lock_timeout, a statement cancelled by statement_timeout,
    # a serialization failure or deadlock: the same transaction may well pass a moment later
    busy_errors=(psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled,
                 psycopg.errors.TransactionRollback),
    json_rows="coalesce(json_agg(json_build_array({columns})), '[]')::text",
)
# A quoted literal or identifier, a placeholder, or a lone percent sign.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|(?<!:):([A-Za-z_]\w*)|%")


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """``?`` → ``%s``, ``:name`` → ``%(name)s``, ``%`` → ``%%``; quotes and ``::`` kept.

    Statements always go to psycopg with parameters (maybe none), so it always
    reads ``%%`` back as ``%``.
    """

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")  # psycopg reads % inside quotes too

    return _TOKENS.sub(replace, sql)


class PgConnection:
    """A psycopg connection that takes the shared SQL's placeholders."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Parameters = (), /) -> psycopg.Cursor[Any]:
        return self.raw.execute(translate(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Parameters], /) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), list(parameters))
        return cursor

    @property
    def usable(self) -> bool:
        return not (self.raw.closed or self.raw.broken)

    def close(self) -> None:
        self.raw.close()


def connect(url: str) -> PgConnection:
    """An autocommit connection; ``transaction()`` opens explicit transactions on it."""
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailableError(
            f"cannot connect to the database {redact_url(url)}: {reason}"
        ) from error
    # sum() and avg() over integers give numeric; the shared code expects floats.
    raw.adapters.register_loader("numeric", FloatLoader)
    # The durability of SQLite in WAL mode with synchronous=NORMAL: a crash of the machine
    # may lose the last commits (under a second), never consistency. Commits that must
    # survive (a digest handed to the mail server) ask for a flush: see PostgresStore.
    raw.execute("SET synchronous_commit TO off")
    return PgConnection(raw)
