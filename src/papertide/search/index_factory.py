"""Pick the search indexes that suit the store's engine.

SQLite is one machine: tantivy and faiss files in the data folder answer
fastest. PostgreSQL may serve web processes on several machines: the indexes
live in the database beside the papers, so that every process sees the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertide.search.base import KeywordIndex
from papertide.search.vectors import VectorIndex
from papertide.settings import Settings
from papertide.store.base import Store

if TYPE_CHECKING:
    from papertide.store.postgres.store import PostgresStore


def _postgres(store: Store) -> PostgresStore | None:
    from papertide.store.sql.mixin import SqlMixin

    if isinstance(store, SqlMixin) and store.dialect.name == "postgresql":
        from papertide.store.postgres.store import PostgresStore

        if isinstance(store, PostgresStore):
            return store
    return None


def open_keyword_index(settings: Settings, store: Store) -> KeywordIndex:
    postgres = _postgres(store)
    if postgres is not None:
        from papertide.search.postgres_keyword import PostgresKeywordIndex

        return PostgresKeywordIndex(postgres)
    from papertide.search.tantivy_index import TantivyIndex

    return TantivyIndex(settings.search_index_dir)


def open_vector_index(settings: Settings, store: Store, saves: bool = True) -> VectorIndex:
    """``saves=False``: the files are another process's to write (see FaissVectorIndex)."""
    postgres = _postgres(store)
    if postgres is not None:
        from papertide.search.pgvector_index import PgVectorIndex

        return PgVectorIndex(postgres, ef_search=settings.vector_index_ef_search)
    from papertide.search.faiss_index import FaissVectorIndex

    return FaissVectorIndex(
        settings.vector_index_dir,
        exact_max=settings.vector_index_exact_max,
        hnsw_m=settings.vector_index_hnsw_m,
        ef_construction=settings.vector_index_ef_construction,
        ef_search=settings.vector_index_ef_search,
        saves=saves,
    )
