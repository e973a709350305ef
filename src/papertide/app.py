"""The service object: the one public face the web app and the CLI call.

Build it with :func:`open_app`; it owns the store and the keyword index and
holds no other state, so several can coexist (tests open one per temp dir).
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidQueryError, NotFoundError
from papertide.importing import BatchCallback, ImportReport, import_files
from papertide.models import Observation, Paper, PaperPage
from papertide.paging import MAX_OFFSET, MAX_PAGE_SIZE, page_bounds
from papertide.periods import Period, day_period
from papertide.search.base import KeywordIndex, SortOrder
from papertide.search.filter_hints import FilterHint, explain_empty
from papertide.search.follower import indexing_in_process, worth_a_process
from papertide.search.hybrid import SearchMode
from papertide.search.query import MAX_QUERY_CHARS, ParsedQuery, parse_query
from papertide.search.spelling import respell
from papertide.search.sync import (
    ProgressCallback,
    SyncReport,
    indexing_alongside,
    sync_keyword_index,
)
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.store.factory import open_store

if TYPE_CHECKING:
    from papertide.community import Community
    from papertide.digest.models import DigestPeriod
    from papertide.digest.service import ComposeReport, Digests
    from papertide.embed.base import Embedder
    from papertide.embed.sync import EmbedReport
    from papertide.recommend.service import Recommender
    from papertide.search.semantic import EmbeddingStatus, SemanticEngine
    from papertide.search.vector_sync import VectorSyncReport

SAMPLE_RESOURCE = "hf_trending_2025_2026.jsonl.gz"
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Listing:
    """Papers of one period plus where the previous/next links go."""

    period: Period
    page: PaperPage
    previous: Period | None
    next: Period | None


@dataclass(frozen=True, slots=True)
class SearchResults:
    """One page of search results and what the query was understood as."""

    text: str
    query: ParsedQuery
    page: PaperPage
    sort: SortOrder
    scores: dict[str, float]
    mode: SearchMode = "keyword"
    fallback: str | None = None
    # Semantic mode: ``page.total`` is how many are listed by meaning, not a count of matches.
    total_capped: bool = False
    # When filters left nothing: which one did, and how many match without it.
    filter_hints: tuple[FilterHint, ...] = ()
    # How the engine read the query (a prefix cut to its most frequent words, a typo).
    engine_notices: tuple[str, ...] = ()
    # "Did you mean ...?": the typed text with its typos corrected from the index's words.
    suggestion: str | None = None
    # Which typed words no paper holds and what was searched instead (shown beside it).
    spelling_notice: str | None = None

    @property
    def notices(self) -> tuple[str, ...]:
        """What the reader should know: odd parts of the query, and a mode fallback."""
        return ((self.spelling_notice,) if self.spelling_notice else ()) + self.other_notices

    @property
    def other_notices(self) -> tuple[str, ...]:
        """The notices besides the spelling one (which the page shows with its suggestion)."""
        return (self.query.notices + self.engine_notices
                + ((self.fallback,) if self.fallback else ()))


@dataclass(frozen=True, slots=True)
class SimilarPapers:
    """Papers closest in meaning to one paper, best first (``notice``: why none, if so)."""

    arxiv_id: str
    papers: tuple[Paper, ...]
    scores: dict[str, float]
    notice: str | None = None
    # While papers are still being embedded: how much of the collection was compared.
    coverage: str | None = None


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Filters given beside the query text (form fields or API parameters)."""

    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class Papertide:
    """Import, list, look up and search papers."""

    def __init__(
        self, settings: Settings, store: Store, keyword_index: KeywordIndex, clock: Clock,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.keyword_index = keyword_index
        self.clock = clock
        self._embedder = embedder

    def close(self) -> None:
        if "semantic" in self.__dict__:
            self.semantic.close()
        self.keyword_index.close()
        self.store.close()

    @cached_property
    def community(self) -> Community:
        """Accounts, votes and libraries, trending lists, rising topics (built on first use)."""
        from papertide.community import Community

        return Community(self.settings, self.store, self.clock)

    @cached_property
    def digests(self) -> Digests:
        """Subscriptions, email digests and the outbox (built on first use)."""
        from papertide.digest.service import Digests
        from papertide.recommend.digest_picks import RecommendedPicks

        return Digests(self.settings, self.store, self.keyword_index, self.community.board,
                       RecommendedPicks(self.recommendations), self.clock, compose_digest_shard)

    @cached_property
    def recommendations(self) -> Recommender:
        """Personal picks, "not interested" marks, filters and library import."""
        from papertide.recommend.service import Recommender

        return Recommender(self.store, self.keyword_index, self.clock,
                           self.settings.recommend_window_days,
                           lambda: self.semantic.model_name)

    @cached_property
    def semantic(self) -> SemanticEngine:
        """Embeddings, the vector index and hybrid ranking (the model loads on first use)."""
        from papertide.search.semantic import SemanticEngine

        return SemanticEngine(self.settings, self.store, self.keyword_index, self._embedder)

    # -- import ------------------------------------------------------------------------

    def import_files(
        self,
        paths: Sequence[Path],
        strict: bool = False,
        on_batch: BatchCallback | None = None,
        display_names: Sequence[str] | None = None,
    ) -> ImportReport:
        """Import JSONL(.gz) files, indexing each committed batch as the next is read.

        Large imports are indexed by a second process (``search.follower``), small
        ones by a thread.
        """
        following = (indexing_in_process(self.settings) if worth_a_process(paths)
                     else indexing_alongside(self.store, self.keyword_index))
        with following:
            report = import_files(
                self.store, paths, self.clock(), strict=strict, on_batch=on_batch,
                display_names=display_names,
            )
        self.sync_search_index()
        return report

    def import_sample(self, on_batch: BatchCallback | None = None) -> ImportReport:
        """Import the bundled sample of real papers (idempotent)."""
        resource = importlib.resources.files("papertide") / "data" / SAMPLE_RESOURCE
        with importlib.resources.as_file(resource) as path:
            return self.import_files([path], on_batch=on_batch,
                                     display_names=[f"<sample {SAMPLE_RESOURCE}>"])

    def sync_search_index(
        self, rebuild: bool = False, progress: ProgressCallback | None = None
    ) -> SyncReport:
        report = sync_keyword_index(self.store, self.keyword_index, rebuild=rebuild,
                                    progress=progress)
        if "semantic" in self.__dict__:
            self.semantic.notify()
        return report

    # -- reading -----------------------------------------------------------------------

    def paper(self, arxiv_id: str) -> Paper:
        """The stored paper; raises InvalidPaperIdError or NotFoundError."""
        key = parse_arxiv_id(arxiv_id).base
        paper = self.store.get_paper(key)
        if paper is None:
            raise NotFoundError(f"paper {key} is not in this papertide")
        return paper

    def observations(self, arxiv_id: str) -> list[Observation]:
        return self.store.observations_for(parse_arxiv_id(arxiv_id).base)

    def latest_day(self) -> dt.date | None:
        return self.store.latest_announced_date()

    def listing(self, period: Period, page: int = 1, page_size: int | None = None) -> Listing:
        """Papers announced in ``period`` with links to the neighbouring periods."""
        limit, offset = self._paging(page, page_size)
        papers = self.store.list_announced(period.start, period.end, limit, offset)
        return Listing(period, papers, *self._neighbours(period))

    def _neighbours(self, period: Period) -> tuple[Period | None, Period | None]:
        """Days skip to the nearest day with papers; weeks and months step by one."""
        if period.kind == "date":
            before = self.store.adjacent_announced_date(period.start, later=False)
            after = self.store.adjacent_announced_date(period.start, later=True)
            return (day_period(before) if before else None, day_period(after) if after else None)
        earliest = self.store.adjacent_announced_date(period.start, later=False)
        latest = self.store.adjacent_announced_date(period.last_day, later=True)
        return (period.shifted(-1) if earliest else None, period.shifted(1) if latest else None)

    def search(
        self,
        text: str,
        page: int = 1,
        page_size: int | None = None,
        sort: SortOrder = "relevance",
        filters: SearchFilters | None = None,
        mode: SearchMode | None = None,
        offset: int | None = None,
        max_chars: int = MAX_QUERY_CHARS,
    ) -> SearchResults:
        """Search in ``mode`` (default: the search_mode setting, hybrid) with filters.

        ``keyword`` is BM25 (title weighted above abstract), ``semantic`` ranks by
        meaning, ``hybrid`` fuses both. The results say which mode answered:
        hybrid and semantic fall back to keyword (with the reason in
        ``fallback`` and ``notices``) while papers are still being embedded,
        when sorting by date, or when the query has no words, only filters.
        """
        filters = filters or SearchFilters()
        query = parse_query(text, max_chars).with_filters(
            filters.authors, filters.categories, filters.date_from, filters.date_to
        )
        if query.is_empty:
            raise InvalidQueryError("type some words to search for, or a filter like cat:cs.CL")
        limit, page_offset = self._paging(page, page_size)
        if offset is None:
            offset = page_offset
        elif not 0 <= offset <= MAX_OFFSET:
            raise InvalidQueryError(f"offset must be between 0 and {MAX_OFFSET:,}")
        wanted = mode or _setting_mode(self.settings.search_mode)
        respelled = respell(text, query, self.keyword_index)
        if respelled is not None:
            query = respelled.query
        ranking = self.semantic.rank(query, wanted, limit, offset, sort)
        found = self.store.get_papers(list(ranking.ids))
        papers = tuple(found[arxiv_id] for arxiv_id in ranking.ids if arxiv_id in found)
        listing = PaperPage(papers, ranking.total, offset, limit, ranking.total_exact)
        hints: tuple[FilterHint, ...] = ()
        if ranking.total == 0 and query.has_filters:
            hints = explain_empty(query, lambda loosened: self.semantic.rank(
                loosened, wanted, 1, 0, sort).total)
        return SearchResults(text, query, listing, sort,
                             ranking.scores, ranking.mode, ranking.fallback,
                             total_capped=ranking.total_capped, filter_hints=hints,
                             engine_notices=ranking.notices,
                             suggestion=respelled.suggestion if respelled else None,
                             spelling_notice=respelled.notice if respelled else None)

    # -- meaning -----------------------------------------------------------------------

    def similar(self, arxiv_id: str, limit: int = 10) -> SimilarPapers:
        """Papers closest in meaning to a stored one (raises NotFoundError if unknown)."""
        key = self.paper(arxiv_id).arxiv_id
        limit = min(max(limit, 1), MAX_PAGE_SIZE)
        status = self.semantic.status()
        if status.indexed == 0:
            return SimilarPapers(key, (), {}, f"Similar papers appear once papers are embedded "
                                              f"({status.describe()}).")
        found = self.semantic.similar(key, limit)
        papers = self.store.get_papers([similar_id for similar_id, _ in found])
        return SimilarPapers(key, tuple(papers[similar_id] for similar_id, _ in found
                                        if similar_id in papers), dict(found),
                             coverage=status.coverage_note())

    def embedding_status(self) -> EmbeddingStatus:
        """How many papers have vectors, of how many (for a status line)."""
        return self.semantic.status()

    def embed_pending(
        self, progress: ProgressCallback | None = None, reembed: bool = False
    ) -> EmbedReport:
        """Embed every paper without a current vector, in batches (``papertide embed``)."""
        return self.semantic.embed_pending(progress=progress, reembed=reembed)

    def sync_vector_index(
        self, rebuild: bool = False, progress: ProgressCallback | None = None
    ) -> VectorSyncReport:
        """Bring the vector index up to the stored vectors (``rebuild``: from scratch)."""
        return self.semantic.sync_index(rebuild=rebuild, progress=progress)

    def start_background_embedding(self) -> None:
        """Embed new papers in a background thread until ``close`` (for the server)."""
        self.semantic.start_background()

    def _paging(self, page: int, page_size: int | None) -> tuple[int, int]:
        return page_bounds(page, page_size, self.settings.page_size)


def _setting_mode(value: str) -> SearchMode:
    return "keyword" if value == "keyword" else "semantic" if value == "semantic" else "hybrid"


def open_app(
    settings: Settings, clock: Clock = utc_now, embedder: Embedder | None = None
) -> Papertide:
    """Open the database named by the settings (creating or upgrading it).

    ``embedder`` replaces the one the settings name (tests share one model).
    """
    from papertide.search.index_factory import open_keyword_index

    store = open_store(settings.resolved_database_url, settings.database_pool_size)
    try:
        index = open_keyword_index(settings, store)
    except BaseException:
        store.close()
        raise
    return Papertide(settings, store, index, clock, embedder)


def compose_digest_shard(settings: Settings, period: DigestPeriod, subscriber_ids: Sequence[int],
                         now: dt.datetime) -> ComposeReport:
    """In a worker process: compose the issue for these subscribers, at ``now``.

    Here, beside ``open_app``, because a process of its own needs a whole service.
    """
    from papertide.digest.service import ComposeReport

    service = open_app(settings, clock=lambda: now)
    try:
        wanted = set(subscriber_ids)
        subscribers = [subscriber for subscriber
                       in service.store.subscribers_receiving(period.kind)
                       if subscriber.id in wanted]
        report = ComposeReport(period)
        service.digests.compose_for(period, subscribers, report)
        return report
    finally:
        service.close()
