"""Copy a whole papertide database into an empty one, resumably, on either engine.

Tables go parents first, rows in key order, one transaction per batch on the
target. The transaction that writes a batch also records, in the target's
``meta`` table under ``copy.``, the last key it wrote, so a copy killed at any
point resumes after the last committed batch and never writes a row twice.

The target ends up with the source's ``meta`` rows, ``instance_id`` included:
it *is* the same deployment, and indexes derived from the data (which record
the instance id and change sequence they hold) recognise it. Identity
sequences are raised to the source's highest id, so new rows never reuse an
id the old deployment handed out (ids appear in links people were mailed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from papertide.exceptions import ConfigError, ConflictError
from papertide.store.sql.mixin import SqlMixin
from papertide.store.transfer.catalog import Table, catalog_of, parents_first, quote
from papertide.store.transfer.rows import COPY_PREFIX, insert_rows, key_of, read_batch

# Tables derived from the others (PostgreSQL's search indexes, kept in the database): not
# copied, not compared; `papertide reindex` builds them on the target after the copy. A
# table added here must be one the search code can rebuild from the copied tables alone.
DERIVED_TABLES: frozenset[str] = frozenset({"search_documents", "search_vocabulary",
                                            "vector_index", "search_index_state"})
# Each engine's own bookkeeping (PostgreSQL's migration number; SQLite keeps it in a pragma).
_ENGINE_TABLES = frozenset({"schema_version"})

SOURCE_KEY = COPY_PREFIX + "source"  # the source's instance id, from the first batch on
FINISHED_KEY = COPY_PREFIX + "finished"  # when every table was copied
_POSITION_PREFIX = COPY_PREFIX + "position:"  # per table: {"after": key} or {"done": true}

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class CopyReport:
    tables: tuple[Table, ...]
    copied_rows: int
    resumed: bool  # an earlier, interrupted run had started this copy
    already_finished: bool  # an earlier run finished it; nothing was written


def copied_tables(source: SqlMixin, target: SqlMixin) -> tuple[Table, ...]:
    """The tables a copy moves, parents first; refuses two schemas that differ."""
    theirs = catalog_of(source).tables()
    ours = catalog_of(target).tables()
    skipped = DERIVED_TABLES | _ENGINE_TABLES
    source_names = set(theirs) - skipped
    target_names = set(ours) - skipped
    problems = [f"table {name} is only in the source" for name in
                sorted(source_names - target_names)]
    problems += [f"table {name} is only in the target" for name in
                 sorted(target_names - source_names)]
    for name in sorted(source_names & target_names):
        if set(theirs[name].columns) != set(ours[name].columns):
            only_source = sorted(set(theirs[name].columns) - set(ours[name].columns))
            only_target = sorted(set(ours[name].columns) - set(theirs[name].columns))
            problems.append(f"table {name} has columns {only_source} only in the source and "
                            f"{only_target} only in the target")
    if problems:
        raise ConfigError(
            "the two databases have different schemas (" + "; ".join(problems) + "): run "
            "`papertide db upgrade --database-url URL` on the older one with this papertide"
        )
    tables = [_with_parents(theirs[name], ours[name]) for name in source_names]
    return tuple(parents_first(tables))


def copy_database(
    source: SqlMixin,
    target: SqlMixin,
    tables: tuple[Table, ...],
    batch_size: int = 1_000,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy (or finish copying) every row of ``tables`` from ``source`` into ``target``."""
    if batch_size < 1:
        raise ConfigError("the batch size must be at least 1")
    source_id = _meta(source, "instance_id")
    if source_id is None:
        raise ConfigError("the source has no instance id: it was not made by papertide")
    resumed, finished = _claim_target(target, tables, source_id)
    if finished:
        return CopyReport(tables, 0, resumed=True, already_finished=True)
    copied = sum(_copy_table(source, target, table, batch_size, progress) for table in tables)
    _finish(source, target, tables)
    return CopyReport(tables, copied, resumed=resumed, already_finished=False)


def _with_parents(theirs: Table, ours: Table) -> Table:
    return Table(theirs.name, theirs.columns, theirs.key, theirs.parents | ours.parents,
                 theirs.identity or ours.identity)


def _claim_target(target: SqlMixin, tables: tuple[Table, ...],
                  source_id: str) -> tuple[bool, bool]:
    """Start a copy on an empty target, or recognise one of the same source; (resumed, done)."""
    with target.transaction():
        marker = _meta(target, SOURCE_KEY)
        if marker is None:
            holding = [table.name for table in tables
                       if table.name != "meta" and _has_rows(target, table)]
            if holding:
                raise ConflictError(
                    f"the target database holds data already (in {', '.join(holding[:4])}"
                    f"{', ...' if len(holding) > 4 else ''}): copy into a new, empty database"
                )
            # A new database's own instance id and settings give way to the source's.
            with target._guard("preparing the target"):
                target._connection().execute("DELETE FROM meta")
            _set_meta(target, SOURCE_KEY, source_id)
            return False, False
        if marker != source_id:
            raise ConflictError(
                f"the target database holds a copy of another papertide database (instance "
                f"{marker}; this source is {source_id}): copy into a new, empty database, or "
                "give the source that copy started from"
            )
        return True, _meta(target, FINISHED_KEY) is not None


def _copy_table(source: SqlMixin, target: SqlMixin, table: Table, batch_size: int,
                progress: Progress | None) -> int:
    copied = 0
    while True:
        with target.transaction():
            # Read the position under the target's write lock: a second copy running at
            # the same time waits here and then continues after this batch.
            position = _position(target, table)
            if position.get("done"):
                return copied
            rows = read_batch(source, table, position.get("after"), batch_size)
            insert_rows(target, table, rows)
            done = not table.key or len(rows) < batch_size
            _set_meta(target, _POSITION_PREFIX + table.name,
                      json.dumps({"done": True} if done else {"after": key_of(table, rows[-1])}))
        copied += len(rows)
        if progress and rows:
            progress(table.name, len(rows))
        if done:
            return copied


def _finish(source: SqlMixin, target: SqlMixin, tables: tuple[Table, ...]) -> None:
    theirs, ours = catalog_of(source), catalog_of(target)
    with target.transaction():
        for table in tables:
            if table.identity is not None:
                high_water = max(theirs.identity_high_water(table),
                                 ours.identity_high_water(table))
                ours.raise_identity(table, high_water)
        with target._guard("finishing the copy"):
            target._connection().execute(
                "DELETE FROM meta WHERE key LIKE ?", (_POSITION_PREFIX + "%",))
        _set_meta(target, FINISHED_KEY, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def _position(target: SqlMixin, table: Table) -> dict[str, Any]:
    text = _meta(target, _POSITION_PREFIX + table.name)
    return dict(json.loads(text)) if text else {}


def _has_rows(store: SqlMixin, table: Table) -> bool:
    with store._guard(f"reading {table.name}"):
        return store._connection().execute(
            f"SELECT 1 FROM {quote(table.name)} LIMIT 1").fetchone() is not None


def _meta(store: SqlMixin, key: str) -> str | None:
    with store._guard("reading meta"):
        row = store._connection().execute(
            "SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def _set_meta(store: SqlMixin, key: str, value: str) -> None:
    with store._guard("recording the copy's progress"):
        store._connection().execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
