"""What the per-domain SQLite mixins need from :class:`SQLiteStore`."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING


class SQLiteMixin:
    """Base of the domain mixins; SQLiteStore provides the real methods."""

    if TYPE_CHECKING:
        def _connection(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...


def placeholders(values: object) -> str:
    """``?, ?, ?`` for an IN list of ``len(values)`` items."""
    return ", ".join("?" for _ in values)  # type: ignore[attr-defined]
