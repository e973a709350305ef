"""The vector index of the PostgreSQL deployment: pgvector with an HNSW graph (cosine).

The vectors live in ``vector_index`` (one row per label, with the announced
day and categories that filters need), so every process sharing the database
searches the same index. pgvector 0.6 filters *after* the graph scan: a
filter that lets a small share through would leave the page short, so the
beam (``hnsw.ef_search``) is widened by the share filtered out, and a
selective filter (few allowed vectors) or a short answer scans the allowed
rows exactly instead. A rebuild drops the graph and builds it once at the
end, which is several times faster than inserting into it row by row.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.types import TypeInfo

from papertide.exceptions import SearchIndexError
from papertide.search.facet_terms import filed_categories
from papertide.search.postgres_facets import facet_conditions
from papertide.search.vectors import VectorFilter, VectorHit, VectorIndexState
from papertide.store.vectors import StoredVector, Vector

if TYPE_CHECKING:
    import psycopg

    from papertide.store.postgres.store import PostgresStore

    Connection = psycopg.Connection[Any]

STATE_NAME = "vectors"
GRAPH_INDEX = "vector_index_hnsw"
DIMENSIONS = 384
EXACT_SUBSET_MAX = 20_000
MAX_EF_SEARCH = 1_000  # pgvector's ceiling
BUILD_MEMORY = "512MB"
# pg_advisory_xact_lock key of vector index writers ("papertide vectors").
INDEX_LOCK = 0x70617065_72766563
_SAVE_STATE = """
    INSERT INTO search_index_state (name, instance_id, model, seq) VALUES (%s, %s, %s, %s)
    ON CONFLICT (name) DO UPDATE SET
        seq = CASE WHEN search_index_state.instance_id = excluded.instance_id
                        AND search_index_state.model = excluded.model
                   THEN greatest(search_index_state.seq, excluded.seq) ELSE excluded.seq END,
        instance_id = excluded.instance_id, model = excluded.model
"""
_UPSERT = """
    INSERT INTO vector_index (label, vector_seq, embedding, announced, categories)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (label) DO UPDATE SET
        vector_seq = excluded.vector_seq, embedding = excluded.embedding,
        announced = excluded.announced, categories = excluded.categories
    WHERE vector_index.vector_seq <= excluded.vector_seq
"""


class _VectorDumper(Dumper):
    """A numpy vector in pgvector's binary form (dimensions, unused, big-endian floats)."""

    format = Format.BINARY

    def dump(self, obj: Any) -> bytes:
        values = np.asarray(obj, dtype=">f4").reshape(-1)
        return struct.pack(">HH", len(values), 0) + values.tobytes()


class PgVectorIndex:
    """``vector_index`` of a PostgreSQL store; thread-safe, shared by processes."""

    def __init__(self, store: PostgresStore, ef_search: int = 256) -> None:
        self.store = store
        self.ef_search = ef_search
        self._dumper: type[Dumper] | None = None
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------

    def state(self) -> VectorIndexState | None:
        with self.store._guard("reading the vector index state"), \
                self.store.borrow() as borrowed:
            row = borrowed.raw.execute(
                "SELECT instance_id, model, seq FROM search_index_state WHERE name = %s",
                (STATE_NAME,)).fetchone()
        return VectorIndexState(str(row[0]), str(row[1]), int(row[2])) if row else None

    def count(self) -> int:
        with self.store._guard("counting indexed vectors"), self.store.borrow() as borrowed:
            return _count(borrowed.raw, VectorFilter())

    def count_matching(self, where: VectorFilter) -> int:
        with self.store._guard("counting indexed vectors"), self.store.borrow() as borrowed:
            return _count(borrowed.raw, where)

    def vector(self, label: int) -> Vector | None:
        with self.store._guard("reading a vector"), self.store.borrow() as borrowed:
            row = borrowed.raw.execute(
                "SELECT embedding::real[] FROM vector_index WHERE label = %s", (label,)
            ).fetchone()
        return None if row is None else np.asarray(row[0], dtype=np.float32)

    def similarities(self, query: Vector, labels: Sequence[int]) -> dict[int, float]:
        if not labels:
            return {}
        with self.store._guard("comparing vectors"), self.store.borrow() as borrowed:
            rows = self._cursor(borrowed.raw).execute(
                "SELECT label, 1 - (embedding <=> %s) FROM vector_index WHERE label = ANY(%s)",
                (_vector(query), [int(label) for label in labels]),
            ).fetchall()
        return {int(label): float(score) for label, score in rows}

    def search(
        self, query: Vector, limit: int, where: VectorFilter | None = None
    ) -> list[VectorHit]:
        """HNSW when most vectors may be returned; exact over the allowed rows otherwise."""
        where = where or VectorFilter()
        if limit <= 0:
            return []
        vector = _vector(query)
        with self.store._guard("searching vectors"), self.store.borrow() as borrowed:
            connection = borrowed.raw
            if where.is_empty and limit <= MAX_EF_SEARCH:
                return self._search(connection, vector, limit, where,
                                    max(self.ef_search, limit))
            total = _count(connection, VectorFilter())
            allowed = _count(connection, where)
            if allowed == 0:
                return []
            wanted = min(limit, allowed)
            if allowed > EXACT_SUBSET_MAX and wanted <= MAX_EF_SEARCH:
                widen = total / allowed
                beam = int(min(max(self.ef_search, wanted) * widen, MAX_EF_SEARCH))
                hits = self._search(connection, vector, wanted, where, beam)
                if len(hits) >= wanted:
                    return hits
            return self._search(connection, vector, wanted, where, None)

    def _search(
        self, connection: Connection, vector: Vector, limit: int, where: VectorFilter,
        beam: int | None,
    ) -> list[VectorHit]:
        conditions, parameters = _conditions(where)
        # ``+ 0`` hides the distance from the planner, so an exact search scans the rows.
        distance = "embedding <=> %s" if beam is not None else "(embedding <=> %s) + 0"
        cursor = self._cursor(connection)
        with connection.transaction():
            if beam is not None:
                cursor.execute(f"SET LOCAL hnsw.ef_search = {int(beam)}")
            rows = cursor.execute(
                f"SELECT label, 1 - (embedding <=> %s) FROM vector_index WHERE {conditions} "
                f"ORDER BY {distance} LIMIT %s",
                [vector, *parameters, vector, limit],
            ).fetchall()
        return [VectorHit(int(label), float(score)) for label, score in rows]

    # -- writing -----------------------------------------------------------------------

    def upsert(self, vectors: Sequence[StoredVector]) -> None:
        if not vectors:
            return
        for item in vectors:
            if len(item.vector) != DIMENSIONS:
                raise SearchIndexError(f"vectors of {len(item.vector)} dimensions cannot join "
                                       f"an index of {DIMENSIONS}")
        latest: dict[int, StoredVector] = {}
        for item in vectors:
            latest[item.label] = item
        rows = [(item.label, item.vector_seq, _vector(item.vector), item.announced_date,
                 filed_categories(item.categories)) for item in latest.values()]
        with self.store._guard("writing the vector index"), self.store.borrow() as borrowed:
            cursor = self._cursor(borrowed.raw)
            with borrowed.raw.transaction():
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
                cursor.executemany(_UPSERT, rows)

    def commit(self, state: VectorIndexState) -> None:
        """Record ``state``; builds the graph if a rebuild dropped it."""
        with self.store._guard("committing the vector index"), self.store.borrow() as borrowed:
            connection = borrowed.raw
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
                # pg_indexes is read with this statement's snapshot: to_regclass would
                # consult a name cache an advisory lock does not refresh, and miss a graph
                # another process built while this one waited for the lock
                graph = connection.execute(
                    "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND indexname = %s", (GRAPH_INDEX,)).fetchone()
                if graph is None:
                    connection.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
                    connection.execute(
                        f"CREATE INDEX IF NOT EXISTS {GRAPH_INDEX} ON vector_index "
                        f"USING hnsw (embedding vector_cosine_ops) "
                        f"WITH (m = 16, ef_construction = 128)")
                connection.execute(_SAVE_STATE, (STATE_NAME, state.instance_id, state.model,
                                                 state.vector_seq))

    def flush(self) -> None:
        """Nothing to do: every write is already durable in the database."""

    def clear(self) -> None:
        """Drop every vector and the graph (``commit`` builds it again, once)."""
        with self.store._guard("clearing the vector index"), self.store.borrow() as borrowed:
            connection = borrowed.raw
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
                connection.execute("TRUNCATE vector_index")
                connection.execute(f"DROP INDEX IF EXISTS {GRAPH_INDEX}")
                connection.execute("DELETE FROM search_index_state WHERE name = %s",
                                   (STATE_NAME,))

    def close(self) -> None:
        """Nothing held outside the database."""

    # -- connections -------------------------------------------------------------------

    def _cursor(self, connection: Connection) -> psycopg.Cursor[Any]:
        """A cursor that sends numpy vectors as ``vector``."""
        cursor = connection.cursor()
        cursor.adapters.register_dumper(np.ndarray, self._vector_dumper(connection))
        return cursor

    def _vector_dumper(self, connection: Connection) -> type[Dumper]:
        with self._lock:
            if self._dumper is None:
                info = TypeInfo.fetch(connection, "vector")
                if info is None:
                    raise SearchIndexError("the database has no vector type (pgvector)")
                self._dumper = type("VectorDumper", (_VectorDumper,), {"oid": info.oid})
            return self._dumper


def _vector(values: Vector) -> Vector:
    return np.ascontiguousarray(values, dtype=np.float32).reshape(-1)


def _count(connection: Connection, where: VectorFilter) -> int:
    conditions, parameters = _conditions(where)
    row = connection.execute(f"SELECT count(*) FROM vector_index WHERE {conditions}",
                             parameters).fetchone()
    return int(row[0]) if row else 0


def _conditions(where: VectorFilter) -> tuple[str, list[Any]]:
    conditions, parameters = facet_conditions(where.categories, where.date_from, where.date_to)
    if where.labels is not None:
        conditions.append("label = ANY(%s::bigint[])")
        parameters.append(sorted(where.labels))
    if where.exclude:
        conditions.append("label <> ALL(%s::bigint[])")
        parameters.append(sorted(where.exclude))
    return " AND ".join(conditions) or "TRUE", parameters
