"""The keyword index of the embedded deployment, on tantivy.

Chosen over SQLite FTS5 by measurement: for OR queries (natural language,
ranked by BM25) at 1M papers tantivy answered in 15 ms at the median where
FTS5 needed 560 ms, about 40 times less at p95 too (bench/search_latency.py,
figures in bench/README.md). The index lives in a folder beside the
database and can always be rebuilt from it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import tantivy

from papertide.exceptions import SearchIndexError
from papertide.models import Paper
from papertide.search.base import IndexState, SearchHit, SearchHits, SortOrder
from papertide.search.broad_filters import ESTIMATE_FLOOR, BroadFilter, broad_filter
from papertide.search.long_queries import LONG_QUERY_WORDS, key_words
from papertide.search.query import MAX_PREFIX_WORDS, ParsedQuery, bounded_prefix_notice
from papertide.search.spelling import NEAR_WORDS_SCANNED, near_word_starts, within_distance
from papertide.search.tantivy_query import PrefixExpansion, QueryBuilder, expand_prefix
from papertide.search.tantivy_schema import (
    NAME_ANALYZER,
    SCHEMA_VERSION,
    TEXT_ANALYZER,
    WORD_ANALYZER,
    WORDS_FIELD,
    build_schema,
    name_analyzer,
    paper_document,
    text_analyzer,
    word_analyzer,
)

STATE_FILE = "papertide-state.json"
WRITER_HEAP_BYTES = 128_000_000


class TantivyIndex:
    """A tantivy index in ``folder``; one writer at a time across processes.

    ``estimate_floor``: from how many (estimated) matches a broad category filter
    is applied after ranking, with an estimated count (see ``broad_filters``).
    """

    def __init__(self, folder: Path, estimate_floor: int = ESTIMATE_FLOOR) -> None:
        self.folder = folder
        self.estimate_floor = estimate_floor
        self._schema = build_schema()
        self._queries = QueryBuilder(self._schema)
        self._stems = text_analyzer()
        self._writer: Any = None
        self._seen_state: IndexState | None = None
        self._lock = threading.Lock()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if self._state_file_version() not in (None, SCHEMA_VERSION):
                self._wipe_folder()
            self._index = tantivy.Index(self._schema, path=str(folder), reuse=True)
        except (OSError, ValueError) as error:
            raise SearchIndexError(f"cannot open the search index in {folder}: {error}") from error
        self._index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        self._index.register_tokenizer(NAME_ANALYZER, name_analyzer())
        self._index.register_tokenizer(WORD_ANALYZER, word_analyzer())
        self._index.config_reader("OnCommit")

    # -- writing -----------------------------------------------------------------------

    def replace_papers(self, papers: Sequence[Paper]) -> None:
        with self._lock:
            writer = self._open_writer()
            for paper in papers:
                writer.delete_documents_by_term("arxiv_id", paper.arxiv_id)
                writer.add_document(paper_document(paper))

    def commit(self, state: IndexState) -> None:
        with self._lock:
            writer = self._open_writer()
            try:
                writer.commit()
                writer.wait_merging_threads()
            except ValueError as error:
                raise SearchIndexError(f"cannot commit the search index: {error}") from error
            finally:
                self._writer = None
            self._write_state(state)
            self._index.reload()

    def clear(self) -> None:
        with self._lock:
            self._open_writer().delete_all_documents()

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None

    def _open_writer(self) -> Any:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            except ValueError as error:
                raise SearchIndexError(
                    f"the search index in {self.folder} is being written by another process"
                    f" ({error})"
                ) from error
        return self._writer

    # -- state -------------------------------------------------------------------------

    def state(self) -> IndexState | None:
        """The last change the index holds; searches from now on see at least that much
        (a newer state, committed by this process or another, reloads the reader first,
        so a result cache keyed on the state never keeps older results under it)."""
        try:
            data = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
            state = IndexState(str(data["instance_id"]), int(data["change_seq"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if state != self._seen_state:
            self._index.reload()
            self._seen_state = state
        return state

    def _write_state(self, state: IndexState) -> None:
        temporary = self.folder / (STATE_FILE + ".tmp")
        payload = {"instance_id": state.instance_id, "change_seq": state.change_seq,
                   "schema_version": SCHEMA_VERSION}
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.folder / STATE_FILE)

    def _state_file_version(self) -> int | None:
        try:
            data = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
            return int(data.get("schema_version", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def _wipe_folder(self) -> None:
        for entry in self.folder.iterdir():
            if entry.is_file():
                entry.unlink()

    # -- searching ---------------------------------------------------------------------

    def search(
        self, query: ParsedQuery, limit: int, offset: int = 0, sort: SortOrder = "relevance"
    ) -> SearchHits:
        searcher = self._index.searcher()
        if len(query.words) > LONG_QUERY_WORDS:
            query = replace(query, words=key_words(
                query.words, lambda word: self._papers_holding(searcher, word)))
        expansions = {prefix: expand_prefix(searcher, prefix, MAX_PREFIX_WORDS)
                      for prefix in query.prefixes}
        notices = tuple(bounded_prefix_notice(prefix)
                        for prefix, expansion in expansions.items() if expansion.truncated)
        return replace(self._search(searcher, query, expansions, limit, offset, sort),
                       notices=notices)

    def _search(
        self, searcher: Any, query: ParsedQuery, expansions: dict[str, PrefixExpansion],
        limit: int, offset: int, sort: SortOrder,
    ) -> SearchHits:
        if sort == "relevance" and query.has_text:
            broad = broad_filter(query, searcher.num_docs,
                                 lambda category: searcher.doc_freq("categories", category))
            found = (self._rank_then_filter(searcher, query, expansions, broad, limit, offset)
                     if broad else None)
            if found is not None:
                return found
        built = self._queries.build(query, expansions)
        if built is None:
            return SearchHits((), 0)
        options: dict[str, Any] = {"limit": limit, "offset": offset, "count": True}
        if sort == "date" or not query.has_text:
            options["order_by_field"] = "announced"
        result = self._run(searcher, built, **options)
        hits = []
        for key, address in result.hits:
            score = float(key) if options.get("order_by_field") is None else 0.0
            hits.append(SearchHit(self._arxiv_id(searcher, address), score))
        return SearchHits(tuple(hits), self._count(result))

    def _rank_then_filter(
        self, searcher: Any, query: ParsedQuery, expansions: dict[str, PrefixExpansion],
        broad: BroadFilter, limit: int, offset: int,
    ) -> SearchHits | None:
        """The page ranked without the filter, cut to the categories; ``None``: not here.

        The same page as the filtered query, since filters do not score; the total
        is estimated. Gives up (``None``) when the estimate is small enough to
        count, or when the candidates held too few papers of the categories.
        """
        unfiltered = self._queries.build(replace(query, categories=()), expansions)
        if unfiltered is None:
            return None
        wanted = offset + limit
        candidates = broad.candidates(wanted)
        result = self._run(searcher, unfiltered, limit=candidates, count=True)
        estimate = broad.estimated_total(self._count(result))
        if estimate < self.estimate_floor or not result.hits:
            return None
        ids = [self._arxiv_id(searcher, address) for _, address in result.hits]
        in_categories = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self._schema, "arxiv_id", ids)),
            *self._queries.filter_clauses(query),
        ])
        kept = {(address.segment_ord, address.doc) for _, address in
                self._run(searcher, in_categories, limit=len(ids), count=False).hits}
        hits = [SearchHit(arxiv_id, float(score))
                for (score, address), arxiv_id in zip(result.hits, ids, strict=True)
                if (address.segment_ord, address.doc) in kept]
        if len(hits) < wanted and len(result.hits) == candidates:
            return None
        return SearchHits(tuple(hits[offset:wanted]), max(estimate, len(hits)),
                          total_exact=False)

    def _papers_holding(self, searcher: Any, word: str) -> int:
        """How many papers hold the word (its stem) in their abstract; 0 for a stopword."""
        stems = self._stems.analyze(word)
        return int(searcher.doc_freq("abstract", stems[0])) if len(stems) == 1 else 0

    # -- vocabulary (typo corrections) --------------------------------------------------

    def word_counts(self, words: Sequence[str], at_most: int) -> dict[str, int]:
        searcher = self._index.searcher()
        return {word: int(searcher.doc_freq(WORDS_FIELD, word)) for word in words}

    def near_words(self, word: str, distance: int) -> list[tuple[str, int]]:
        """Words sharing the first three letters (or holding two of them swapped) within
        ``distance`` edits: the term dictionary is walked for those prefixes only, a few
        hundred words even at a million papers."""
        searcher = self._index.searcher()
        terms: dict[str, int] = {}
        for prefix in near_word_starts(word):
            terms.update(searcher.terms_with_prefix(WORDS_FIELD, prefix,
                                                    limit=NEAR_WORDS_SCANNED))
        return within_distance(word, terms, distance)

    @staticmethod
    def _run(searcher: Any, query: tantivy.Query, **options: Any) -> Any:
        try:
            return searcher.search(query, **options)
        except ValueError as error:
            raise SearchIndexError(f"the search index failed: {error}") from error

    @staticmethod
    def _count(result: Any) -> int:
        # ``count`` exists at run time but is missing from tantivy's type stubs.
        return int(getattr(result, "count", None) or 0)

    @staticmethod
    def _arxiv_id(searcher: Any, address: Any) -> str:
        return str(searcher.doc(address)["arxiv_id"][0])


@contextmanager
def opened_index(folder: Path) -> Iterator[TantivyIndex]:
    index = TantivyIndex(folder)
    try:
        yield index
    finally:
        index.close()
