"""What tables a papertide database holds, read from the engine's own catalog.

The copy works from what the two databases say at run time, not from a list
kept here: a table added by a later migration is copied without touching this
code, and two databases whose schemas differ are told apart before any row moves.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass
from typing import Protocol

from papertide.store.sql.mixin import SqlMixin


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its columns, its primary key, and the tables its foreign keys name."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    parents: frozenset[str]
    identity: str | None  # an integer key the engine numbers (identity column, rowid alias)


class Catalog(Protocol):
    def tables(self) -> dict[str, Table]: ...

    def identity_high_water(self, table: Table) -> int:
        """The highest id the engine has handed out (deleted rows included where it knows)."""
        ...

    def raise_identity(self, table: Table, high_water: int) -> None:
        """Make the engine number new rows above ``high_water``."""
        ...


def catalog_of(store: SqlMixin) -> Catalog:
    if store.dialect.name == "postgresql":
        return _PostgresCatalog(store)
    return _SQLiteCatalog(store)


def quote(name: str) -> str:
    """An SQL identifier, quoted the same way on both engines."""
    return '"' + name.replace('"', '""') + '"'


def parents_first(tables: list[Table]) -> list[Table]:
    """Tables in an order that inserts every referenced row before the rows naming it."""
    by_name = {table.name: table for table in tables}
    graph = {name: {parent for parent in by_name[name].parents if parent in by_name and
                    parent != name} for name in sorted(by_name)}
    sorter = graphlib.TopologicalSorter(graph)
    sorter.prepare()
    ordered: list[Table] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(by_name[name] for name in ready)
        sorter.done(*ready)
    return ordered


class _SQLiteCatalog:
    def __init__(self, store: SqlMixin) -> None:
        self.store = store

    def tables(self) -> dict[str, Table]:
        connection = self.store._connection()
        with self.store._guard("reading the list of tables"):
            names = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()]
            found: dict[str, Table] = {}
            for name in names:
                info = connection.execute(f"PRAGMA table_info({quote(name)})").fetchall()
                columns = tuple(str(row[1]) for row in info)
                keyed = sorted((int(row[5]), str(row[1]), str(row[2]).upper())
                               for row in info if int(row[5]))
                key = tuple(column for _, column, _ in keyed)
                identity = keyed[0][1] if len(keyed) == 1 and keyed[0][2] == "INTEGER" else None
                parents = frozenset(str(row[2]) for row in connection.execute(
                    f"PRAGMA foreign_key_list({quote(name)})").fetchall())
                found[name] = Table(name, columns, key, parents, identity)
        return found

    def identity_high_water(self, table: Table) -> int:
        assert table.identity is not None
        connection = self.store._connection()
        with self.store._guard(f"reading the highest id of {table.name}"):
            highest = connection.execute(
                f"SELECT max({quote(table.identity)}) FROM {quote(table.name)}").fetchone()[0]
            sequence = (connection.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                           (table.name,)).fetchone()
                        if self._has_sequence_table() else None)
        return max(int(highest or 0), int(sequence[0]) if sequence else 0)

    def raise_identity(self, table: Table, high_water: int) -> None:
        connection = self.store._connection()
        with self.store._guard(f"numbering new rows of {table.name}"):
            row = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                     (table.name,)).fetchone()
            if not row or "AUTOINCREMENT" not in str(row[0]).upper():
                return  # SQLite numbers a rowid table from its largest id
            updated = connection.execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                (high_water, table.name))
            if updated.rowcount == 0:
                connection.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                   (table.name, high_water))

    def _has_sequence_table(self) -> bool:
        row = self.store._connection().execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone()
        return row is not None


class _PostgresCatalog:
    def __init__(self, store: SqlMixin) -> None:
        self.store = store

    def tables(self) -> dict[str, Table]:
        connection = self.store._connection()
        with self.store._guard("reading the list of tables"):
            columns: dict[str, list[str]] = {}
            identities: dict[str, set[str]] = {}
            for table, column, is_identity in connection.execute(
                "SELECT c.table_name, c.column_name, c.is_identity "
                "FROM information_schema.columns c JOIN information_schema.tables t "
                "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                "ORDER BY c.table_name, c.ordinal_position"
            ).fetchall():
                columns.setdefault(table, []).append(column)
                if is_identity == "YES":
                    identities.setdefault(table, set()).add(column)
            keys: dict[str, list[str]] = {}
            for table, column in connection.execute(
                "SELECT tc.table_name, kcu.column_name "
                "FROM information_schema.table_constraints tc "
                "JOIN information_schema.key_column_usage kcu "
                "ON kcu.constraint_schema = tc.constraint_schema "
                "AND kcu.constraint_name = tc.constraint_name "
                "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() "
                "ORDER BY tc.table_name, kcu.ordinal_position"
            ).fetchall():
                keys.setdefault(table, []).append(column)
            parents: dict[str, set[str]] = {}
            for child, parent in connection.execute(
                "SELECT child.relname, parent.relname FROM pg_constraint c "
                "JOIN pg_class child ON child.oid = c.conrelid "
                "JOIN pg_class parent ON parent.oid = c.confrelid "
                "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
            ).fetchall():
                parents.setdefault(child, set()).add(parent)
        found: dict[str, Table] = {}
        for name, names in columns.items():
            key = tuple(keys.get(name, ()))
            identity = key[0] if len(key) == 1 and key[0] in identities.get(name, ()) else None
            found[name] = Table(name, tuple(names), key, frozenset(parents.get(name, ())),
                                identity)
        return found

    def identity_high_water(self, table: Table) -> int:
        assert table.identity is not None
        with self.store._guard(f"reading the highest id of {table.name}"):
            row = self.store._connection().execute(
                f"SELECT max({quote(table.identity)}), pg_sequence_last_value("
                f"pg_get_serial_sequence(?, ?)::regclass) FROM {quote(table.name)}",
                (quote(table.name), table.identity),
            ).fetchone()
        return max(int(row[0] or 0), int(row[1] or 0))

    def raise_identity(self, table: Table, high_water: int) -> None:
        assert table.identity is not None
        if high_water < 1:
            return  # a sequence starts at 1 anyway
        with self.store._guard(f"numbering new rows of {table.name}"):
            self.store._connection().execute(
                "SELECT setval(pg_get_serial_sequence(?, ?), ?)",
                (quote(table.name), table.identity, high_water),
            )
