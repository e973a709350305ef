"""What the per-domain SQL mixins need from an engine's store, and the engine's dialect.

The domain mixins (accounts, library, digests...) hold SQL that runs unchanged
on SQLite and on PostgreSQL: ``?`` and ``:name`` placeholders (the PostgreSQL
connection translates them), ``ON CONFLICT``, ``RETURNING``, and no engine
functions. What differs between engines (driver errors, row locking) is in
:class:`Dialect`; connections and transactions are the engine store's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from papertide.exceptions import DatabaseBusyError, DatabaseUnavailableError, StorageError

Parameters = Sequence[Any] | Mapping[str, Any]


class IntegrityViolation(StorageError):
    """A constraint refused a write (duplicate key, missing referenced row)."""


class SqlCursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ..., /) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class SqlConnection(Protocol):
    """The DB-API subset the mixins use (``sqlite3.Connection`` has it as is)."""

    def execute(self, sql: str, parameters: Parameters = ..., /) -> SqlCursor: ...

    def executemany(self, sql: str, parameters: Any, /) -> SqlCursor: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """What the shared SQL needs to know about an engine.

    ``lock_rows`` is appended to a ``SELECT`` that claims rows for work, so that
    concurrent claimers skip each other's rows (SQLite serialises writers instead).
    """

    name: str
    errors: tuple[type[Exception], ...]
    integrity_errors: tuple[type[Exception], ...]
    unavailable_errors: tuple[type[Exception], ...]
    lock_rows: str = ""
    busy_messages: tuple[str, ...] = ()
    """Driver messages (lower case) that mean another writer held the lock too long."""
    busy_errors: tuple[type[Exception], ...] = ()
    """Driver errors that mean the same: a lock wait timed out, a conflict to retry."""
    json_rows: str = "json_group_array(json_array({columns}))"
    """An aggregate that gives a group's ``columns`` as JSON text: a list of lists,
    ``[]`` for no rows (SQLite's spelling; PostgreSQL's is ``json_agg``)."""


class SqlMixin:
    """Base of the domain mixins; each engine's store provides the connection."""

    dialect: Dialect

    if TYPE_CHECKING:
        def _connection(self) -> SqlConnection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn driver errors into papertide's, naming what was being done."""
        try:
            yield
        except self.dialect.integrity_errors as error:
            raise IntegrityViolation(f"database refused a write while {action}: {error}") \
                from error
        except self.dialect.busy_errors as error:
            raise busy_error(action) from error
        except self.dialect.unavailable_errors as error:
            raise DatabaseUnavailableError(
                f"the database is unavailable while {action}: {_first_line(error)}"
            ) from error
        except self.dialect.errors as error:
            if any(text in str(error).lower() for text in self.dialect.busy_messages):
                raise busy_error(action) from error
            raise StorageError(f"database error while {action}: {error}") from error


def busy_error(action: str) -> DatabaseBusyError:
    """Another writer held the lock longer than the caller may wait."""
    return DatabaseBusyError(f"the database is busy with another write while {action}; "
                             f"try again in {DatabaseBusyError.retry_after} seconds")


def placeholders(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an IN list of ``len(values)`` items."""
    return ", ".join("?" for _ in values)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
