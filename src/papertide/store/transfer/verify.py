"""Compare two databases table by table: row counts and a checksum of every row.

The checksum is computed in Python from fetched rows, the same way on both
engines: SHA-256 of the ``repr`` of each row as plain values (int, float,
str, bytes, None: what both drivers return), summed modulo 2**256. A float
keeps every bit through ``repr``, and an int never equals a float. The sum does not depend on
the order rows arrive in, which matters because PostgreSQL orders text keys by
its collation and SQLite by bytes; any changed, missing or extra row changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from papertide.store.sql.mixin import SqlMixin
from papertide.store.transfer.catalog import Table
from papertide.store.transfer.rows import Row, iter_rows

VERIFY_BATCH = 5_000
_MODULUS = 2**256
_PLAIN_TYPES = frozenset({str, int, float, bytes, type(None)})


@dataclass(frozen=True, slots=True)
class TableSummary:
    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class TableCheck:
    table: str
    source: TableSummary
    target: TableSummary

    @property
    def matches(self) -> bool:
        return self.source == self.target


def summarise(store: SqlMixin, table: Table, progress: Callable[[int], None] | None = None,
              ) -> TableSummary:
    rows = 0
    total = 0
    for batch in iter_rows(store, table, VERIFY_BATCH):
        rows += len(batch)
        total = (total + sum(row_digest(row) for row in batch)) % _MODULUS
        if progress:
            progress(len(batch))
    return TableSummary(rows, f"{total:064x}")


def compare(source: SqlMixin, target: SqlMixin, tables: tuple[Table, ...],
            progress: Callable[[int], None] | None = None) -> list[TableCheck]:
    return [TableCheck(table.name, summarise(source, table, progress),
                       summarise(target, table, progress)) for table in tables]


def row_digest(row: Row) -> int:
    # Both drivers return these types for papertide's columns; ``repr`` of them is canonical.
    if not _PLAIN_TYPES.issuperset(map(type, row)):
        row = tuple(_canonical(value) for value in row)
    text = repr(row)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(), "big")


def _canonical(value: Any) -> Any:
    """The plain form of a value a driver returned as something else (memoryview, bool...)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, str | int | float):
        return value
    return (type(value).__name__, str(value))
