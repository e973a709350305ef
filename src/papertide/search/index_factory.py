"""Pick the search indexes that suit the store's engine and the process's role.

SQLite is one machine: tantivy and faiss files in the data folder answer
fastest. PostgreSQL may serve web processes on several machines: the indexes
live in the database beside the papers, so that every process sees the same,
and the processes that store papers keep them. A web host (``replica=True``)
keeps local copies of them in its own data folder as well, with
``search_replicas = "local"`` (the default; see ``search/replicas.py``), and
answers from the database's only until its copies have caught up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertide.search.base import IndexState, KeywordIndex
from papertide.search.vectors import VectorIndex
from papertide.settings import Settings
from papertide.store.base import Store

if TYPE_CHECKING:
    from papertide.search.faiss_index import FaissVectorIndex
    from papertide.store.postgres.store import PostgresStore


def _postgres(store: Store) -> PostgresStore | None:
    from papertide.store.sql.mixin import SqlMixin

    if isinstance(store, SqlMixin) and store.dialect.name == "postgresql":
        from papertide.store.postgres.store import PostgresStore

        if isinstance(store, PostgresStore):
            return store
    return None


def keeps_replicas(settings: Settings, store: Store) -> bool:
    """Whether a web host on this store keeps local search replicas."""
    return _postgres(store) is not None and settings.search_replicas == "local"


def open_keyword_index(settings: Settings, store: Store, replica: bool = False) -> KeywordIndex:
    """``replica``: for a web host, which keeps a local copy on PostgreSQL (see above)."""
    from papertide.search.tantivy_index import TantivyIndex

    postgres = _postgres(store)
    if postgres is None:
        return TantivyIndex(settings.search_index_dir)
    from papertide.search.postgres_keyword import PostgresKeywordIndex

    database = PostgresKeywordIndex(postgres)
    if not (replica and keeps_replicas(settings, store)):
        return database
    from papertide.search.replicas import ReplicatedKeywordIndex

    head = IndexState(store.instance_id, store.max_change_seq())
    return ReplicatedKeywordIndex(database, TantivyIndex(settings.search_index_dir), head)


def open_vector_index(settings: Settings, store: Store, saves: bool = True,
                      replica: bool = False) -> VectorIndex:
    """``saves=False``: the files are another process's to write (see FaissVectorIndex);
    ``replica`` as for :func:`open_keyword_index`."""
    postgres = _postgres(store)
    if postgres is None:
        return _faiss(settings, saves)
    from papertide.search.pgvector_index import PgVectorIndex

    database = PgVectorIndex(postgres, ef_search=settings.vector_index_ef_search)
    if not (replica and keeps_replicas(settings, store)):
        return database
    from papertide.search.label_map import LabelMap
    from papertide.search.replicas import ReplicatedVectorIndex

    return ReplicatedVectorIndex(database, _faiss(settings, saves),
                                 LabelMap(settings.vector_labels_dir))


def _faiss(settings: Settings, saves: bool) -> FaissVectorIndex:
    from papertide.search.faiss_index import FaissVectorIndex

    return FaissVectorIndex(
        settings.vector_index_dir,
        exact_max=settings.vector_index_exact_max,
        hnsw_m=settings.vector_index_hnsw_m,
        ef_construction=settings.vector_index_ef_construction,
        ef_search=settings.vector_index_ef_search,
        saves=saves,
    )
