"""Reading a table's rows a batch at a time, in primary-key order.

Each batch starts after the last key of the one before (keyset paging), so a
batch costs the same at the end of a large table as at its start, and a copy
can resume from the last key it wrote. Each engine orders by its own rules
(PostgreSQL's text collation differs from SQLite's byte order); that is fine
because a copy reads, and resumes on, one source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from papertide.store.sql.mixin import SqlMixin, placeholders
from papertide.store.transfer.catalog import Table, quote

Row = tuple[Any, ...]
COPY_PREFIX = "copy."
# Rows that belong to one database and are neither copied nor compared: the copy's bookkeeping.
_LOCAL_ROWS = {"meta": "key NOT LIKE 'copy.%'"}


def read_batch(store: SqlMixin, table: Table, after: Sequence[Any] | None,
               limit: int) -> list[Row]:
    """Up to ``limit`` rows with a key above ``after``; a table without a key in one go."""
    conditions: list[str] = []
    parameters: list[Any] = []
    if table.name in _LOCAL_ROWS:
        conditions.append(_LOCAL_ROWS[table.name])
    keys = ", ".join(quote(column) for column in table.key)
    if after is not None and table.key:
        conditions.append(f"({keys}) > ({placeholders(after)})")
        parameters.extend(after)
    sql = f"SELECT {', '.join(quote(c) for c in table.columns)} FROM {quote(table.name)}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    if table.key:
        sql += f" ORDER BY {keys} LIMIT ?"
        parameters.append(limit)
    with store._guard(f"reading {table.name}"):
        return [tuple(row) for row in store._connection().execute(sql, parameters).fetchall()]


def iter_rows(store: SqlMixin, table: Table, batch_size: int) -> Iterator[list[Row]]:
    """Every row of a table, batch by batch."""
    after: Sequence[Any] | None = None
    while True:
        batch = read_batch(store, table, after, batch_size)
        if batch:
            yield batch
        if not table.key or len(batch) < batch_size:
            return
        after = key_of(table, batch[-1])


def key_of(table: Table, row: Row) -> list[Any]:
    return [row[table.columns.index(column)] for column in table.key]


def count_rows(store: SqlMixin, table: Table) -> int:
    where = f" WHERE {_LOCAL_ROWS[table.name]}" if table.name in _LOCAL_ROWS else ""
    with store._guard(f"counting {table.name}"):
        row = store._connection().execute(
            f"SELECT count(*) FROM {quote(table.name)}{where}").fetchone()
    return int(row[0])


def insert_rows(store: SqlMixin, table: Table, rows: Sequence[Row]) -> None:
    """Add rows inside the caller's transaction (on PostgreSQL with ``COPY``: less per row)."""
    if not rows:
        return
    columns = ", ".join(quote(column) for column in table.columns)
    with store._guard(f"writing {table.name}"):
        connection = store._connection()
        if store.dialect.name == "postgresql":
            from papertide.store.postgres.connection import PgConnection

            assert isinstance(connection, PgConnection), "COPY runs inside a transaction"
            with connection.raw.cursor().copy(
                    f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        connection.executemany(
            f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders(table.columns)})",
            rows)
