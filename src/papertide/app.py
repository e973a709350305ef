"""The service object: the one public face the web app and the CLI call.

Build it with :func:`open_app`; it owns the store and the keyword index and
holds no other state, so several can coexist (tests open one per temp dir).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.resources
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertide.accounts.models import User
from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidQueryError, NotFoundError, PapertideError
from papertide.importing import (
    BatchCallback,
    ImportReport,
    import_files,
    import_front_page_snapshots,
)
from papertide.models import Observation, Paper, PaperPage
from papertide.paging import MAX_OFFSET, MAX_PAGE_SIZE, page_bounds
from papertide.periods import Period, day_period
from papertide.ranking.outside_signals import OutsideSignals
from papertide.ranking.paper_signals import PaperSignals
from papertide.search.author_names import AuthorProfile, author_profile, names_like
from papertide.search.base import IndexState, KeywordIndex, SortOrder
from papertide.search.filter_hints import FilterHint, explain_empty
from papertide.search.follower import indexing_in_process, worth_a_process
from papertide.search.hybrid import SearchMode
from papertide.search.query import MAX_QUERY_CHARS, ParsedQuery, parse_query
from papertide.search.replicas import (
    ReplicatedKeywordIndex,
    index_generation,
    shared_keyword_index,
)
from papertide.search.result_cache import ResultCache
from papertide.search.spelling import Respelling, respell
from papertide.search.sync import (
    IndexLag,
    ProgressCallback,
    SyncReport,
    indexing_alongside,
    lag_behind,
    sync_keyword_index,
)
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.store.factory import open_store
from papertide.store.signal_summary import SignalSummary

if TYPE_CHECKING:
    from papertide.accounts.tokens import Signer
    from papertide.community import Community
    from papertide.digest.models import DigestPeriod
    from papertide.digest.service import ComposeReport, Digests
    from papertide.discussions.service import Discussions
    from papertide.embed.base import Embedder
    from papertide.embed.sync import EmbedReport
    from papertide.follows.service import Follows
    from papertide.recommend.import_jobs import LibraryImports
    from papertide.recommend.service import Recommender
    from papertide.search.semantic import EmbeddingStatus, Ranking, SemanticEngine
    from papertide.search.vector_sync import VectorSyncReport
    from papertide.store.postgres.notifications import ChangeListener
    from papertide.topics.compute import TopicParams

SAMPLE_RESOURCE = "hf_trending_2025_2026.jsonl.gz"
MAX_AUTHOR_NAME = 200
SAMPLE_SNAPSHOTS = "hf_front_page_snapshots.jsonl.gz"
SAMPLE_VECTORS = "sample_vectors.npz"
logger = logging.getLogger("papertide")
CATCH_UP_RETRY_SECONDS = 5.0
CLOSE_WAIT_SECONDS = 30.0  # how long close waits for a background thread using the store
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
    lag: str | None = None
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
    # The text searched when words no paper holds were replaced (else ``None``).
    searched_text: str | None = None

    @property
    def notices(self) -> tuple[str, ...]:
        """What the reader should know: odd parts of the query, a mode fallback, and
        whether the index is still catching up (after a restart or during an import)."""
        return ((self.spelling_notice,) if self.spelling_notice else ()) + self.other_notices

    @property
    def other_notices(self) -> tuple[str, ...]:
        """The notices besides the spelling one (which the page shows with its suggestion)."""
        return (self.query.notices + self.engine_notices
                + ((self.fallback,) if self.fallback else ()) + ((self.lag,) if self.lag else ()))


@dataclass(frozen=True, slots=True)
class _Answer:
    """One search's findings as the result cache keeps them (per index generation)."""

    query: ParsedQuery
    respelled: Respelling | None
    ranking: Ranking
    listing: PaperPage
    hints: tuple[FilterHint, ...]


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
        embedder: Embedder | None = None, writes_indexes: bool = True,
    ) -> None:
        self.settings = settings
        self.writes_indexes = writes_indexes
        self.store = store
        self.keyword_index = keyword_index
        # A web host on PostgreSQL keeps local copies of the search indexes (search/replicas.py).
        self.keeps_replicas = isinstance(keyword_index, ReplicatedKeywordIndex)
        self.clock = clock
        self._embedder = embedder
        self._background: list[threading.Thread] = []
        self._closing = threading.Event()
        self._results: ResultCache[_Answer] = ResultCache()
        self._similar: ResultCache[SimilarPapers] = ResultCache()
        self._outside_signals = OutsideSignals(store)

    def close(self) -> None:
        self._closing.set()
        if "library_imports" in self.__dict__:  # no import thread may outlive the store
            self.library_imports.close()
        for thread in self._background:
            thread.join(CLOSE_WAIT_SECONDS)
        if "semantic" in self.__dict__:
            self.semantic.close()
        self.keyword_index.close()
        self.store.close()

    @cached_property
    def community(self) -> Community:
        """Accounts, votes and libraries, trending lists, rising topics (built on first use)."""
        from papertide.community import Community

        return Community(self.settings, self.store, self.clock, self.signer,
                         recompute_topics=partial(recompute_topics, self.settings))

    @cached_property
    def signer(self) -> Signer:
        """Signs every link, cookie and token the site hands out, from one site key."""
        from papertide.accounts.secret_key import site_signer

        return site_signer(self.settings.secret_key, self.store)

    @cached_property
    def digests(self) -> Digests:
        """Subscriptions, email digests and the outbox (built on first use)."""
        from papertide.digest.service import Digests
        from papertide.follows.digest_sections import FollowSections
        from papertide.recommend.digest_picks import RecommendedPicks

        return Digests(self.settings, self.store, self.keyword_index, self.community.board,
                       RecommendedPicks(self.recommendations), self.clock, self.signer,
                       compose_digest_shard,
                       FollowSections(self.store))

    @cached_property
    def follows(self) -> Follows:
        """Followed authors, watched papers and their updates, private feeds."""
        from papertide.follows.service import Follows

        return Follows(self.store, self.keyword_index, self.clock)

    @cached_property
    def discussions(self) -> Discussions:
        """Comments on papers, their moderation and reply mail (through the digest outbox)."""
        from papertide.discussions.mail import ReplyMailer
        from papertide.discussions.service import Discussions

        digests = self.digests
        mailer = ReplyMailer(digests.renderer, digests.outbox, self.signer)
        return Discussions(self.store, self.clock, self.settings.comment_limit_per_hour,
                           self.settings.comment_max_chars, mailer,
                           self.community.board.paper_changed)

    @cached_property
    def recommendations(self) -> Recommender:
        """Personal picks, "not interested" marks, filters and library import."""
        from papertide.recommend.service import Recommender

        return Recommender(self.store, self.keyword_index, self.clock,
                           self.settings.recommend_window_days,
                           lambda: self.semantic.model_name, followed=self.follows)

    @cached_property
    def library_imports(self) -> LibraryImports:
        """Big library imports, run in the background and followed on a progress page."""
        from papertide.recommend.import_jobs import LibraryImports

        return LibraryImports(self.settings.data_dir / "library-imports",
                              self.recommendations.import_library,
                              partial(run_library_import, self.settings))

    @cached_property
    def semantic(self) -> SemanticEngine:
        """Embeddings, the vector index and hybrid ranking (the model loads on first use)."""
        from papertide.search.semantic import SemanticEngine

        return SemanticEngine(self.settings, self.store, self.keyword_index, self._embedder,
                              writes_index=self.writes_indexes, replica=self.keeps_replicas)

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
                     else indexing_alongside(self.store, shared_keyword_index(self.keyword_index)))
        with following:
            report = import_files(
                self.store, paths, self.clock(), strict=strict, on_batch=on_batch,
                display_names=display_names,
            )
        self.sync_search_index()
        return report

    def import_sample(self, on_batch: BatchCallback | None = None) -> ImportReport:
        """Import the bundled sample (idempotent): its papers, their front-page
        sightings, and their precomputed vectors when this papertide uses their model."""
        with _package_file(SAMPLE_RESOURCE) as path:
            report = self.import_files([path], on_batch=on_batch,
                                       display_names=[f"<sample {SAMPLE_RESOURCE}>"])
        with _package_file(SAMPLE_SNAPSHOTS) as path:
            sightings = import_front_page_snapshots(self.store, path, self.clock(),
                                                    SAMPLE_SNAPSHOTS)
        if sightings:
            report.notes.append(f"{sightings:,} HF front-page sightings")
            if "community" in self.__dict__:
                self.community.board.invalidate()
        report.notes.append(self._load_sample_vectors())
        return report

    def _load_sample_vectors(self) -> str:
        from papertide.embed.bundle import load_bundle, read_bundle
        from papertide.exceptions import EmbeddingError

        with _package_file(SAMPLE_VECTORS) as path:
            try:
                bundle = read_bundle(path)
            except EmbeddingError as error:
                return f"{error}: papers will be embedded in the background"
        # Vectors of papers another process embeds meanwhile are stored once more at most:
        # the watermark only moves over papers that hold a current vector either way.
        loaded = load_bundle(self.store, self.semantic.model_name, bundle)
        if loaded.skipped:
            return f"{loaded.skipped}: papers will be embedded in the background"
        self.semantic.sync_index()
        return f"{loaded.loaded:,} bundled vectors loaded"

    def sync_search_index(
        self, rebuild: bool = False, progress: ProgressCallback | None = None
    ) -> SyncReport:
        """Index the papers stored since the last sync (after an import, at start-up).

        On a web host with a local replica, the database's index first (this process
        may have stored papers), then the replica (which reports the progress).
        """
        index = self.keyword_index
        if isinstance(index, ReplicatedKeywordIndex):
            sync_keyword_index(self.store, index.database, rebuild=rebuild)
            report = index.sync_replica(self.store, rebuild=rebuild, progress=progress)
        else:
            report = sync_keyword_index(self.store, index, rebuild=rebuild, progress=progress)
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

    def signals(self, arxiv_ids: Sequence[str]) -> dict[str, SignalSummary]:
        """What is known about these papers' popularity (papers with nothing are absent)."""
        return self._outside_signals.summaries(arxiv_ids)

    def observations(self, arxiv_id: str) -> list[Observation]:
        return self.store.observations_for(parse_arxiv_id(arxiv_id).base)

    def paper_signals(self, arxiv_ids: Sequence[str]) -> dict[str, PaperSignals]:
        """What cards show of the outside signals (HF upvotes, code, keywords...)."""
        return self._outside_signals.shown(arxiv_ids)

    def author(self, name: str) -> AuthorProfile | tuple[str, ...]:
        """The papers here that list ``name`` (accents and case aside), newest first, with
        their upvotes. Found through the search index (an ``author:`` filter), then kept
        only where the whole name matches; when none does, the full names that contain
        the words asked (empty when there are none)."""
        if not name.strip() or len(name) > MAX_AUTHOR_NAME:
            raise InvalidQueryError(f"an author name has 1 to {MAX_AUTHOR_NAME} characters")
        quoted = name.replace('"', " ").strip()
        found = self.search("", 1, MAX_PAGE_SIZE, "date", SearchFilters(authors=(quoted,)),
                            mode="keyword")
        papers = found.page.papers
        votes = self.community.library.marks(None, [paper.arxiv_id for paper in papers]).votes
        profile = author_profile(name, papers, votes, complete=not found.page.has_more)
        return profile if profile is not None else names_like(name, papers)

    def latest_day(self) -> dt.date | None:
        return self.store.latest_announced_date()

    # -- one person's data -------------------------------------------------------------

    def personal_data(self, user: User) -> dict[str, Any]:
        """Everything kept about ``user``, for them to download."""
        from papertide.personal_data import personal_data
        return personal_data(self.store, user, self.clock())

    def delete_account(self, user: User, end_subscription: bool) -> None:
        """Remove the account with its sessions, votes and library; with
        ``end_subscription``, forget its digest subscription too."""
        if end_subscription:
            subscriptions = self.digests.subscriptions
            subscriber = self.store.subscriber_by_email(user.email)
            if subscriber is not None:
                subscriptions.forget(subscriptions.manage_token(subscriber))
        self.community.accounts.remove_user(user.email)

    def listing(self, period: Period, page: int = 1, page_size: int | None = None) -> Listing:
        """Papers announced in ``period`` with links to the neighbouring periods."""
        limit, offset = self._paging(page, page_size)
        papers = self.store.list_announced(period.start, period.end, limit, offset)
        return Listing(period, papers, *self._neighbours(period))

    def trending_listing(self, period: Period, page: int = 1
                         ) -> tuple[Listing, dict[str, int]]:
        """Papers announced in ``period``, ranked by trending, with each one's rank and the
        neighbouring periods (the date-ordered page is never read)."""
        limit, offset = self.community.paging(page, None)
        trending = self.community.trending.period_page(period, limit, offset)
        return Listing(period, trending.page, *self._neighbours(period)), trending.ranks

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
        keyword_state = index_generation(self.keyword_index)  # read once: cache key and lag
        found = self._results.get_or_compute(
            self._index_generation(keyword_state), (text, query, wanted, limit, offset, sort),
            lambda: self._answer(text, query, wanted, limit, offset, sort))
        lag = self.search_index_lag(meaning=found.ranking.mode != "keyword",
                                    keyword_state=keyword_state)
        return SearchResults(text, found.query, found.listing, sort, found.ranking.scores,
                             found.ranking.mode, found.ranking.fallback,
                             lag.describe() if lag.catching_up else None,
                             total_capped=found.ranking.total_capped,
                             filter_hints=found.hints, engine_notices=found.ranking.notices,
                             suggestion=found.respelled.suggestion if found.respelled else None,
                             spelling_notice=found.respelled.notice if found.respelled else None,
                             searched_text=(found.respelled.searched_text if found.respelled
                                            else None))

    def _answer(self, text: str, query: ParsedQuery, mode: SearchMode, limit: int,
                offset: int, sort: SortOrder) -> _Answer:
        """What a search finds: the query with its typos corrected from the index's own
        words, its ranking and page, and, when filters left nothing, which one did."""
        respelled = respell(text, query, self.keyword_index)
        searched = respelled.query if respelled is not None else query
        ranking, listing = self._rank(searched, mode, limit, offset, sort)
        hints: tuple[FilterHint, ...] = ()
        if ranking.total == 0 and searched.has_filters:
            hints = explain_empty(searched, lambda loosened: self.semantic.rank(
                loosened, mode, 1, 0, sort).total)
        return _Answer(searched, respelled, ranking, listing, hints)

    def _rank(self, query: ParsedQuery, mode: SearchMode, limit: int, offset: int,
              sort: SortOrder) -> tuple[Ranking, PaperPage]:
        ranking = self.semantic.rank(query, mode, limit, offset, sort)
        unread = [arxiv_id for arxiv_id in ranking.ids if arxiv_id not in ranking.papers]
        found = {**ranking.papers, **(self.store.get_papers(unread) if unread else {})}
        papers = tuple(found[arxiv_id] for arxiv_id in ranking.ids if arxiv_id in found)
        return ranking, PaperPage(papers, ranking.total, offset, limit, ranking.total_exact)

    def _index_generation(self, keyword_state: object) -> tuple[object, ...]:
        """What the results depend on: the keyword index's last change (``keyword_state``,
        as just read), the vectors held and whether meaning can be used yet (cached results
        of older ones are dropped)."""
        return (keyword_state, *self.semantic.generation())

    def search_index_lag(self, meaning: bool = True, keyword_state: object = None
                         ) -> IndexLag:
        """How far keyword search is behind the database (see ``catch_up_in_background``),
        and on a web host whether the database answers while its local copies catch up
        (``meaning=False``: for a search by keywords only, whatever the vectors' copy;
        ``keyword_state``: the index's state if the caller just read it)."""
        index = self.keyword_index
        if not isinstance(index, ReplicatedKeywordIndex):
            state = keyword_state if isinstance(keyword_state, IndexState) else index.state()
            return lag_behind(self.store, state)
        from_database = not index.refresh() or (meaning and not self.semantic.on_replica())
        return IndexLag(index.behind(self.store), from_database=from_database)

    def change_listener(self) -> ChangeListener | None:
        """On PostgreSQL, a connection that hears other processes commit papers and
        vectors (for a follower that calls ``follow_database``); None on SQLite."""
        from papertide.store.postgres.notifications import ChangeListener
        from papertide.store.postgres.store import PostgresStore

        if isinstance(self.store, PostgresStore):
            return ChangeListener(self.store.url)
        return None

    def follow_database(self) -> None:
        """Take in what other processes committed (a web host's follower calls this when
        PostgreSQL notifies a commit, and now and then): the host's keyword replica (or,
        in an extra web process, the check whether the first one's copy has caught up)
        and its copy of the vectors."""
        index = self.keyword_index
        if isinstance(index, ReplicatedKeywordIndex):
            if self.writes_indexes:
                index.sync_replica(self.store)
            else:
                index.refresh()
        self.semantic.follow_stored_vectors()

    def catch_up_in_background(self, retry_seconds: float = CATCH_UP_RETRY_SECONDS
                               ) -> threading.Thread:
        """Bring the search index up to the database in a thread, so a server answers
        at once after a restart (search pages say it is catching up meanwhile).

        While another process holds the index (an import), it tries again later.
        """

        def catch_up() -> None:
            while True:
                try:
                    self.sync_search_index()
                    return
                except PapertideError as error:
                    logger.warning("the search index cannot catch up yet: %s", error)
                if self._closing.wait(retry_seconds):
                    return

        thread = threading.Thread(target=catch_up, name="papertide-index-catch-up", daemon=True)
        self._background.append(thread)
        thread.start()
        return thread

    # -- meaning -----------------------------------------------------------------------

    def similar(self, arxiv_id: str, limit: int = 10) -> SimilarPapers:
        """Papers closest in meaning to a stored one (raises NotFoundError if unknown)."""
        key = self.paper(arxiv_id).arxiv_id
        limit = min(max(limit, 1), MAX_PAGE_SIZE)
        status = self.semantic.status()
        if status.indexed == 0:
            return SimilarPapers(key, (), {}, f"Similar papers appear once papers are embedded "
                                              f"({status.describe()}).")
        return self._similar.get_or_compute(self._index_generation(self.keyword_index.state()),
                                            (key, limit),
                                            lambda: self._find_similar(key, limit,
                                                                       status.coverage_note()))

    def _find_similar(self, key: str, limit: int, coverage: str | None) -> SimilarPapers:
        found = self.semantic.similar(key, limit)
        papers = self.store.get_papers([similar_id for similar_id, _ in found])
        return SimilarPapers(key, tuple(papers[similar_id] for similar_id, _ in found
                                        if similar_id in papers), dict(found),
                             coverage=coverage)

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
        """Embed new papers in a background thread until ``close`` (for the server), and
        get the model ready meanwhile: on a fresh data dir it is exported first (tens of
        seconds), which the first search by meaning would otherwise wait for."""
        self.semantic.start_background()
        self.start_warming_up()

    def start_warming_up(self) -> None:
        """Load, in a background thread, what the first searches would otherwise wait
        for: the model (exported first on a fresh data dir: tens of seconds), the vector
        index and a keyword searcher. A web process serves meanwhile."""
        threading.Thread(target=self._warm_up, name="papertide-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            self.semantic.embedder.embed_query("warm up")
            self.semantic.index.count()
            self.keyword_index.state()
        except Exception:  # the first query reports what is wrong; serving goes on
            logging.getLogger("papertide.embedding").exception("warming up search failed")

    def _paging(self, page: int, page_size: int | None) -> tuple[int, int]:
        return page_bounds(page, page_size, self.settings.page_size)


@contextlib.contextmanager
def _package_file(name: str) -> Iterator[Path]:
    """A data file shipped in the package, as a real file wherever it is installed."""
    resource = importlib.resources.files("papertide") / "data" / name
    with importlib.resources.as_file(resource) as path:
        yield path


def _setting_mode(value: str) -> SearchMode:
    return "keyword" if value == "keyword" else "semantic" if value == "semantic" else "hybrid"


def open_app(
    settings: Settings, clock: Clock = utc_now, embedder: Embedder | None = None,
    writes_indexes: bool = True, web_host: bool = False,
) -> Papertide:
    """Open the database named by the settings (creating or upgrading it).

    ``embedder`` replaces the one the settings name (tests share one model).
    ``writes_indexes=False``: a web process beside the one that keeps the search
    indexes; it reads them and never saves them. ``web_host``: a process that
    serves searches; on PostgreSQL it keeps local copies of the search indexes
    (the ``search_replicas`` setting), which ``follow_database`` keeps current.
    """
    from papertide.search.index_factory import open_keyword_index

    store = open_store(settings.resolved_database_url, settings.database_pool_size)
    try:
        index = open_keyword_index(settings, store, replica=web_host)
    except BaseException:
        store.close()
        raise
    return Papertide(settings, store, index, clock, embedder, writes_indexes)


def recompute_topics(settings: Settings, now: dt.datetime, params: TopicParams | None,
                     as_of: dt.date | None) -> None:
    """In a process of its own: the rising topics as of ``now``, computed and stored
    (see ``Topics``)."""
    from papertide.topics.service import Topics

    store = open_store(settings.resolved_database_url, settings.database_pool_size)
    try:
        Topics(store, lambda: now).recompute(params, as_of)
    finally:
        store.close()


def run_library_import(settings: Settings, job_id: str, filename: str, pasted: bool) -> None:
    """In a process of its own: one background library import (see ``LibraryImports``).

    Here, beside ``open_app``, because a process of its own needs a whole service.
    """
    service = open_app(settings, writes_indexes=False)
    try:
        service.library_imports.run_here(job_id, filename, pasted)
    finally:
        service.close()


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
