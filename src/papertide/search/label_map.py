"""A web host's own record of which paper each vector label belongs to.

A vector index speaks in labels (``paper_vectors.id``); a search turns its hits into
papers and its keyword candidates into labels. On SQLite that is a query of the
local database file, but on a PostgreSQL web host it was two round trips to the
database per hybrid query, which on a loaded machine cost more than the vector
search itself. So the host's vector replica keeps the pairs it holds in a small
SQLite file beside it, written with each batch it takes in (before the batch
reaches the replica, so the file never holds less than the replica).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from papertide.exceptions import SearchIndexError

FILE_NAME = "labels.sqlite3"
# Stay far below SQLite's limit of bound variables for IN (...) lists.
CHUNK = 500


class LabelMap:
    """Label ↔ arXiv id pairs of one vector replica; thread-safe."""

    def __init__(self, folder: Path) -> None:
        """``created``: the file is new (or was unreadable and started again), so the
        replica it belongs to must be rebuilt to fill it."""
        path = folder / FILE_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.created = not path.exists()
            try:
                self._connection = _opened(path)
            except sqlite3.DatabaseError:  # damaged: it is only a copy, start it again
                for damaged in folder.glob(f"{FILE_NAME}*"):
                    damaged.unlink()
                self.created = True
                self._connection = _opened(path)
        except (OSError, sqlite3.Error) as error:
            raise SearchIndexError(f"cannot open the vector labels file {path}: {error}") \
                from error
        self._lock = threading.Lock()

    def put(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Record each label's paper (a paper's newer label replaces its older one)."""
        with self._lock, self._guarded("recording vector labels"):
            self._connection.execute("BEGIN")
            self._connection.executemany(
                "INSERT OR REPLACE INTO labels (label, arxiv_id) VALUES (?, ?)", pairs)
            self._connection.execute("COMMIT")

    def labels_of(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        return {arxiv_id: label for label, arxiv_id in self._pairs("arxiv_id", arxiv_ids)}

    def arxiv_ids_of(self, labels: Sequence[int]) -> dict[int, str]:
        return dict(self._pairs("label", [int(label) for label in labels]))

    def clear(self) -> None:
        with self._lock, self._guarded("clearing vector labels"):
            self._connection.execute("DELETE FROM labels")

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _pairs(self, column: str, keys: Sequence[object]) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        with self._lock, self._guarded("reading vector labels"):
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start:start + CHUNK]
                found += self._connection.execute(
                    f"SELECT label, arxiv_id FROM labels WHERE {column} IN "
                    f"({', '.join('?' for _ in chunk)})", chunk).fetchall()
        return found

    @contextmanager
    def _guarded(self, action: str) -> Iterator[None]:
        """SQLite errors become a SearchIndexError naming the action (a failed batch is
        rolled back: the follower takes it in again)."""
        try:
            yield
        except sqlite3.Error as error:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            raise SearchIndexError(f"{action}: {error}") from error


def _opened(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("CREATE TABLE IF NOT EXISTS labels ("
                           "label INTEGER PRIMARY KEY, arxiv_id TEXT NOT NULL UNIQUE)")
    except sqlite3.Error:
        connection.close()
        raise
    return connection
