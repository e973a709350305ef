"""Semantic and hybrid ranking, similar papers, and the embedding status.

Owns the embedder (loaded on first use) and the vector index (opened on
first use and caught up from the database). The keyword index stays the
authority on *which* papers match hard constraints: a quoted phrase, a
``+required`` or ``-excluded`` word restricts the candidates to keyword
matches, and meaning only ranks them. Filters (categories, dates, authors)
apply to both sides.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from papertide.embed.base import Embedder, paper_text
from papertide.embed.sync import EmbeddingTurn, EmbedReport, embed_pending, pending_papers
from papertide.exceptions import RunBusyError
from papertide.models import Paper
from papertide.search.base import KeywordIndex, SearchHits, SortOrder
from papertide.search.hybrid import (
    KNOWN_ITEM_DEPTH,
    SearchMode,
    adaptive_fusion,
    keyword_evidence,
    known_items,
    words_of,
)
from papertide.search.label_map import LabelMap
from papertide.search.query import ParsedQuery
from papertide.search.replicas import ReplicatedVectorIndex, index_generation
from papertide.search.vector_sync import VectorSyncReport, sync_vector_index
from papertide.search.vectors import VectorFilter, VectorIndex
from papertide.settings import Settings
from papertide.store.base import Store

READY_MISSING_SHARE = 0.05
READY_MISSING_PAPERS = 100
POOL_DEPTH = 100
SEMANTIC_RESULT_CAP = 1_000
AUTHOR_FILTER_MAX = 20_000
STATUS_SECONDS = 10.0
WORKER_NICENESS = 10
QUERY_THREADS = 4
UNKNOWN_WORDS_CHECKED = 3
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class EmbeddingStatus:
    """How far semantic search is: for a status line and the fallback decision."""

    model: str
    total: int
    embedded: int
    indexed: int
    ready: bool
    running: bool

    @property
    def pending(self) -> int:
        return max(self.total - self.embedded, 0)

    def coverage_note(self) -> str | None:
        """A note such as "Based on 2% of papers embedded so far", while some lack a vector."""
        if not self.total or self.indexed >= self.total:
            return None
        percent = 100 * self.indexed / self.total
        share = "less than 1%" if percent < 1 else f"{min(int(percent), 99)}%"
        return f"Based on {share} of papers embedded so far."

    def describe(self) -> str:
        share = f" ({100 * self.embedded // self.total}%)" if self.total else ""
        line = f"{self.embedded:,} of {self.total:,} papers embedded{share}"
        if self.indexed < self.embedded and not self.ready:
            line += "; the vector index is loading"
        elif self.pending and self.running:
            line += "; embedding the rest in the background"
        elif self.pending:
            line += "; run `papertide embed` (or the server) to embed the rest"
        return line


@dataclass(frozen=True, slots=True)
class Ranking:
    """One page of ranked paper ids and which mode produced it (and why, if not the asked one)."""

    ids: tuple[str, ...]
    scores: dict[str, float]
    total: int
    mode: SearchMode
    fallback: str | None = None
    total_exact: bool = True
    # Semantic mode ranks every paper by meaning; ``total`` is then the cap of how many
    # it lists ("top 1,000 by meaning"), not a count of papers that match.
    total_capped: bool = False
    # How the keyword index read the query (a prefix cut to its most frequent words).
    notices: tuple[str, ...] = ()
    # Papers already read while ranking (a hybrid query reads the page's with the
    # known-item candidates'), so the page costs no second read of the database.
    papers: dict[str, Paper] = field(default_factory=dict, compare=False, repr=False)


class SemanticEngine:
    """Semantic search over one store; several threads may call it at once."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        keyword_index: KeywordIndex,
        embedder: Embedder | None = None,
        writes_index: bool = True,
        replica: bool = False,
    ) -> None:
        """``replica``: a web host on PostgreSQL, which keeps a local copy of the vectors
        (``search/replicas.py``)."""
        self.settings = settings
        self.writes_index = writes_index
        self.replica = replica
        self.store = store
        self.keyword_index = keyword_index
        self._embedder = embedder
        self._index: VectorIndex | None = None
        self._open_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._status: tuple[float, EmbeddingStatus] | None = None
        self._worker: EmbeddingWorker | None = None
        self._embedding = threading.Lock()
        self._turn = EmbeddingTurn.for_this_process(settings.job_lease_seconds)
        # Threads start on first use; the keyword half of a query runs on one of them.
        self._query_pool = ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="papertide-query")

    # -- parts, built on first use ------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from papertide.embed.export import Precision
            from papertide.embed.onnx import OnnxEmbedder

            precision: Precision = "fp32" if self.settings.embedding_precision == "fp32" else "int8"
            self._embedder = OnnxEmbedder(
                self.settings.embedding_model, precision, self.settings.models_dir,
                batch_size=self.settings.embedding_batch_size,
                threads=self.settings.embedding_threads,
                device="cpu" if self.settings.embedding_device == "cpu" else "auto",
            )
        return self._embedder

    @property
    def index(self) -> VectorIndex:
        """The vector index, opened and caught up with the database on first use (a local
        replica catches up later, from ``follow_stored_vectors``: the database answers
        meanwhile)."""
        if self._index is None:
            with self._open_lock:
                if self._index is None:
                    from papertide.search.index_factory import open_vector_index

                    opened = open_vector_index(self.settings, self.store,
                                               saves=self.writes_index, replica=self.replica)
                    if not isinstance(opened, ReplicatedVectorIndex):
                        sync_vector_index(self.store, opened, self.embedder.model_name)
                    self._index = opened
        return self._index

    @property
    def model_name(self) -> str:
        return self.embedder.model_name

    # -- keeping up ---------------------------------------------------------------------

    def sync_index(
        self, rebuild: bool = False, progress: ProgressCallback | None = None
    ) -> VectorSyncReport:
        """Bring the vector index up to the stored vectors (``rebuild``: from scratch);
        on a web host, the database's first (this process may have stored vectors),
        then its local copy."""
        index = self.index
        if isinstance(index, ReplicatedVectorIndex):
            sync_vector_index(self.store, index.database, self.model_name, rebuild=rebuild)
            return self._sync_replica(index, rebuild, progress)
        with self._sync_lock:
            self._status = None
            return sync_vector_index(self.store, index, self.model_name, rebuild=rebuild,
                                     progress=progress)

    def _sync_replica(self, index: ReplicatedVectorIndex, rebuild: bool = False,
                      progress: ProgressCallback | None = None) -> VectorSyncReport:
        """Bring a host's copy of the vectors up to the database; it answers from then on
        (a copy rebuilt from nothing is cleared by ``sync_vector_index``, which hands the
        searches to the database meanwhile)."""
        with self._sync_lock:
            self._status = None
            report = sync_vector_index(self.store, index, self.model_name,
                                       rebuild=rebuild, progress=progress)
            index.caught_up()
            return report

    def embed_pending(
        self,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        reembed: bool = False,
        save_index: bool = True,
        more_waiting: Callable[[], None] | None = None,
    ) -> EmbedReport:
        """Embed papers that lack a current vector; the index follows each range stored.

        ``save_index`` writes the index to disk at the end; the background worker
        leaves that to the index's own policy (it saves after 5% of changes and on
        close), since a restart catches up from the database anyway.

        Every process that embeds (web processes, workers, the CLI) claims ranges of
        the papers (``embed.sync``), so they share the work; within one process one
        pass runs at a time (the model already uses the threads it is given), and a
        second call meanwhile raises :class:`RunBusyError`.
        """
        if not self._embedding.acquire(blocking=False):
            raise RunBusyError("this process is embedding papers already")
        try:
            if reembed:
                self.store.restart_embedding(self.model_name)
            report = embed_pending(self.store, self.embedder, self._turn,
                                   batch_size=self.settings.embedding_batch_size,
                                   progress=progress, stop=stop, after_range=self._follow_range,
                                   more_waiting=more_waiting, force=reembed)
            if save_index:
                self.index.flush()
        finally:
            self._embedding.release()
        return report

    def _follow_range(self) -> None:
        self.sync_index()

    def embedding_here(self) -> bool:
        """Whether a thread of this process is embedding papers now."""
        return self._embedding.locked()

    def start_background(self, poll_seconds: float = 30.0) -> None:
        """Embed new papers in a background thread from now on (the server does this)."""
        if self._worker is None:
            self._worker = EmbeddingWorker(self, poll_seconds)
            self._worker.start()

    def generation(self) -> tuple[object, ...]:
        """What rankings depend on besides the keyword index: the vectors held and
        whether meaning can be used (a search result cache keys on it)."""
        index = self._index
        if index is None:  # not opened yet: meaning has not been used here
            return (None,)
        return (index_generation(index), self.status().ready)

    def on_replica(self) -> bool:
        """False while a host's copy of the vectors is not open or still being built (the
        database answers meanwhile)."""
        if not self.replica:
            return True
        index = self._index
        return isinstance(index, ReplicatedVectorIndex) and index.answering == "replica"

    def follow_stored_vectors(self) -> None:
        """Take in vectors another process stored (a web process that does not embed
        calls this now and then): into a host's local copy, opened here if need be, or
        into the index if it is open here."""
        if self.replica:
            index = self.index
            if isinstance(index, ReplicatedVectorIndex):
                self._sync_replica(index)
        elif self._index is not None:
            self.sync_index()

    def notify(self) -> None:
        """New papers arrived: wake the background worker, if one runs."""
        self._status = None
        if self._worker is not None:
            self._worker.wake()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        self._query_pool.shutdown(wait=True)
        if self._index is not None:
            self._index.close()
            self._index = None

    # -- status -------------------------------------------------------------------------

    def status(self) -> EmbeddingStatus:
        """Embedded and indexed counts; cached for a moment (a status line on every page)."""
        cached = self._status
        now = time.monotonic()
        if cached is not None and now - cached[0] < STATUS_SECONDS:
            return cached[1]
        model = self.model_name
        total = self.store.count_papers()
        embedded = max(total - pending_papers(self.store, model), 0)
        # with a background worker, the worker opens (maybe builds) the index; never wait for it
        opening = self._index is None and self._worker is not None
        indexed = 0 if opening else self.index.count()
        status = EmbeddingStatus(
            model=model, total=total, embedded=embedded, indexed=indexed,
            ready=is_ready(indexed, total),
            running=self._worker is not None and self._worker.is_alive(),
        )
        self._status = (now, status)
        return status

    # -- ranking ------------------------------------------------------------------------

    def rank(
        self, query: ParsedQuery, mode: SearchMode, limit: int, offset: int, sort: SortOrder
    ) -> Ranking:
        """One page of results in ``mode``, or keyword results and the reason why not."""
        if mode == "keyword":
            return self._keyword(query, limit, offset, sort)
        reason = self._cannot_use_meaning(query, sort)
        if reason is not None:
            return replace(self._keyword(query, limit, offset, sort), fallback=reason)
        # The keyword half runs on a pool thread while this one embeds the query and
        # searches the vector index: tantivy, onnxruntime and faiss all leave the GIL,
        # so on two cores a hybrid query costs about its slower half, not the sum.
        depth = max(POOL_DEPTH, offset + limit)
        keyword_search = self._query_pool.submit(self._keyword_candidates, query, depth)
        try:
            vector = self.embedder.embed_query(meaning_text(query))
            constrained = has_constraints(query)
            nearest: dict[str, float] = {}
            semantic_total: int | None = None
            if not constrained:
                where = self._vector_filter(query)
                if where is not None:
                    hits = self.index.search(vector, depth, where)
                    names = self._arxiv_ids_of([hit.label for hit in hits])
                    nearest = {names[hit.label]: hit.score for hit in hits if hit.label in names}
                    if mode == "semantic":
                        semantic_total = min(SEMANTIC_RESULT_CAP, self.index.count_matching(where))
        finally:
            keyword, labels = keyword_search.result()  # never leave the search unowned
        keyword_ids = [hit.arxiv_id for hit in keyword.hits]
        scores = self.index.similarities(vector, list(labels.values()))
        similarity = {arxiv_id: scores[label] for arxiv_id, label in labels.items()
                      if label in scores}
        similarity.update(nearest)
        if mode == "semantic":
            ordered = sorted(similarity.items(), key=lambda item: -item[1])
            page = ordered[offset:offset + limit]
            total, exact = ((keyword.total, keyword.total_exact) if semantic_total is None
                            else (semantic_total, True))
            return Ranking(tuple(arxiv_id for arxiv_id, _ in page), dict(page), total,
                           "semantic", total_exact=exact,
                           total_capped=semantic_total == SEMANTIC_RESULT_CAP,
                           notices=keyword.notices)
        ranked = [(hit.arxiv_id, hit.score) for hit in keyword.hits]
        evidence = keyword_evidence(ranked[0][1] if ranked else 0.0, meaning_text(query),
                                    self.status().total)
        weight = self.settings.hybrid_keyword_weight
        fused = adaptive_fusion(ranked, similarity, evidence, weight)
        # A known item moves one of the best keyword matches to the top and keeps the
        # rest in order: the page is among this page and those matches, read at once.
        best = keyword_ids[:KNOWN_ITEM_DEPTH]
        papers = self.store.get_papers(list(dict.fromkeys(
            [item.arxiv_id for item in fused[offset:offset + limit]] + best)))
        if first := self._known_items(meaning_text(query), best, papers):
            fused = adaptive_fusion(ranked, similarity, evidence, weight, first)
        extra = len(set(similarity) - set(keyword_ids)) if not constrained else 0
        page_items = fused[offset:offset + limit]
        return Ranking(tuple(item.arxiv_id for item in page_items),
                       {item.arxiv_id: item.score for item in page_items},
                       keyword.total + extra, "hybrid", total_exact=keyword.total_exact,
                       notices=keyword.notices,
                       papers={item.arxiv_id: papers[item.arxiv_id] for item in page_items
                               if item.arxiv_id in papers})

    def _known_items(self, text: str, best: list[str], papers: dict[str, Paper]) -> list[str]:
        """The paper(s) a known-item query names among the best keyword matches
        (:func:`known_items`), from their titles and abstracts."""
        if not best or len(words_of(text)) < 2:  # one word names no paper
            return []
        texts = [(arxiv_id, papers[arxiv_id].title, papers[arxiv_id].abstract or "")
                 for arxiv_id in best if arxiv_id in papers]
        held = frozenset().union(*(words_of(f"{title} {abstract}")
                                   for _, title, abstract in texts))
        missing = sorted(words_of(text) - held)
        # A word no paper holds says nothing; more than a few missing: not a known item.
        counts = (self.keyword_index.word_counts(missing, 1)
                  if 0 < len(missing) <= UNKNOWN_WORDS_CHECKED else {})
        unknown = frozenset(word for word in missing if counts.get(word, 1) == 0)
        return known_items(text, texts, unknown)

    def _keyword(self, query: ParsedQuery, limit: int, offset: int, sort: SortOrder) -> Ranking:
        hits = self.keyword_index.search(query, limit, offset, sort)
        return Ranking(tuple(hit.arxiv_id for hit in hits.hits),
                       {hit.arxiv_id: hit.score for hit in hits.hits}, hits.total, "keyword",
                       total_exact=hits.total_exact, notices=hits.notices)

    def _cannot_use_meaning(self, query: ParsedQuery, sort: SortOrder) -> str | None:
        if sort == "date":
            return "Sorted by date, so keyword matches are listed (meaning ranks by relevance)."
        if not query.has_text:
            return "No words to compare by meaning: papers matching the filters are listed."
        if not any(ch.isalnum() for ch in meaning_text(query)):
            return "Nothing in the query carries a meaning to compare, so keywords were used."
        status = self.status()
        if not status.ready:
            return f"Semantic search is not ready yet ({status.describe()}): keyword results."
        return None

    def _keyword_candidates(
        self, query: ParsedQuery, depth: int
    ) -> tuple[SearchHits, dict[str, int]]:
        """The keyword half of a query and its papers' vector labels, on a pool thread."""
        keyword = self.keyword_index.search(query, depth, 0, "relevance")
        return keyword, self._labels_of([hit.arxiv_id for hit in keyword.hits])

    def _labels_of(self, arxiv_ids: list[str]) -> dict[str, int]:
        """The vector labels of papers: a web host's own record while its replica
        answers (no database round trip), else the store's."""
        local = self._local_labels()
        return (local.labels_of(arxiv_ids) if local is not None
                else self.store.vector_labels(arxiv_ids))

    def _arxiv_ids_of(self, labels: list[int]) -> dict[int, str]:
        local = self._local_labels()
        return (local.arxiv_ids_of(labels) if local is not None
                else self.store.vector_arxiv_ids(labels))

    def _local_labels(self) -> LabelMap | None:
        index = self._index
        return index.local_labels if isinstance(index, ReplicatedVectorIndex) else None

    def _vector_filter(self, query: ParsedQuery) -> VectorFilter | None:
        """The query's filters for the vector index; ``None`` when nothing can pass."""
        where = VectorFilter(categories=query.categories, date_from=query.date_from,
                             date_to=query.date_to)
        if not query.authors:
            return where
        only_filters = ParsedQuery(authors=query.authors, categories=query.categories,
                                   date_from=query.date_from, date_to=query.date_to)
        matching = self.keyword_index.search(only_filters, AUTHOR_FILTER_MAX, 0, "date")
        labels = self._labels_of([hit.arxiv_id for hit in matching.hits])
        if not labels:
            return None
        return replace(where, labels=frozenset(labels.values()))

    # -- similar papers -------------------------------------------------------------------

    def similar(self, arxiv_id: str, limit: int) -> list[tuple[str, float]]:
        """Papers closest in meaning to a stored paper, never the paper itself."""
        paper = self.store.get_paper(arxiv_id)
        if paper is None or self.index.count() == 0:
            return []
        labels = self._labels_of([arxiv_id])
        label = labels.get(arxiv_id)
        vector = self.index.vector(label) if label is not None else None
        if vector is None:
            vector = self.embedder.embed_documents([paper_text(paper)])[0]
        exclude = frozenset({label}) if label is not None else frozenset()
        hits = self.index.search(vector, limit + 1, VectorFilter(exclude=exclude))
        names = self._arxiv_ids_of([hit.label for hit in hits])
        found = [(names[hit.label], hit.score) for hit in hits
                 if hit.label in names and names[hit.label] != arxiv_id]
        return found[:limit]


def is_ready(indexed: int, total: int) -> bool:
    """Enough papers have vectors for meaning to rank fairly: at least half, and all
    but a few (5%, or 100 papers: what the background worker embeds in seconds)."""
    missing = total - indexed
    allowed = max(READY_MISSING_SHARE * total, READY_MISSING_PAPERS)
    return total > 0 and 2 * indexed >= total and missing <= allowed


def meaning_text(query: ParsedQuery) -> str:
    """The words of a query that carry its meaning (filters and exclusions left out)."""
    return " ".join([*query.words, *query.required_words, *query.phrases, *query.prefixes])


def has_constraints(query: ParsedQuery) -> bool:
    """Whether the query demands or forbids words, which only the keyword index can check."""
    return bool(query.required_words or query.phrases or query.excluded_words
                or query.excluded_phrases)


class EmbeddingWorker:
    """A daemon thread that embeds new papers whenever there are some."""

    def __init__(self, engine: SemanticEngine, poll_seconds: float) -> None:
        self._engine = engine
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="papertide-embedding",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        import contextlib
        import logging
        import os

        log = logging.getLogger("papertide.embedding")
        with contextlib.suppress(OSError, AttributeError):  # serve requests first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
        while not self._stop.is_set():
            try:
                self._engine.sync_index()
                report = self._engine.embed_pending(stop=self._stop, save_index=False)
                if report.embedded:
                    log.info("embedded %d papers", report.embedded)
            except RunBusyError:
                pass  # a job of this process is embedding; this thread tries again later
            except Exception:  # keep serving; the next round retries
                log.exception("embedding papers failed; retrying in %.0f s", self._poll)
            self._wake.wait(self._poll)
            self._wake.clear()
