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
import re
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
from papertide.search.query import ParsedQuery

# Tuned on the SciFact train queries (bench/retrieval): 2.0 -> 1.0 raised keyword nDCG@10
# from 0.613 to 0.664; BM25's length normalisation still ranks a word in the short title
# above the same word in the abstract.
TITLE_BOOST = 1.0
AUTHORS_BOOST = 0.5
TEXT_ANALYZER = "papertide_en"
NAME_ANALYZER = "papertide_names"
STATE_FILE = "papertide-state.json"
# What the documents hold; an index written under another version is rebuilt on open.
# 2: hyphenated words are also indexed written solid ("zero-shot" -> "zeroshot").
SCHEMA_VERSION = 2
WRITER_HEAP_BYTES = 128_000_000
_TEXT_FIELDS = (("title", TITLE_BOOST), ("abstract", 1.0), ("authors", AUTHORS_BOOST))
_PROSE_FIELDS = _TEXT_FIELDS[:2]  # title and abstract also hold hyphenated words solid
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def _text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _name_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _stopword_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("arxiv_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("abstract", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
    builder.add_text_field("categories", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("announced", indexed=True, fast=True)
    return builder.build()


def _day_number(paper: Paper) -> int:
    day = paper.announced_date
    return day.year * 10_000 + day.month * 100 + day.day if day else 0


class TantivyIndex:
    """A tantivy index in ``folder``; one writer at a time across processes.

    ``estimate_floor``: from how many (estimated) matches a broad category filter
    is applied after ranking, with an estimated count (see ``broad_filters``).
    """

    def __init__(self, folder: Path, estimate_floor: int = ESTIMATE_FLOOR) -> None:
        self.folder = folder
        self.estimate_floor = estimate_floor
        self._schema = _schema()
        self._text = _text_analyzer()
        self._names = _name_analyzer()
        self._stopwords = _stopword_analyzer()
        self._writer: Any = None
        self._lock = threading.Lock()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if self._state_file_version() not in (None, SCHEMA_VERSION):
                self._wipe_folder()
            self._index = tantivy.Index(self._schema, path=str(folder), reuse=True)
        except (OSError, ValueError) as error:
            raise SearchIndexError(f"cannot open the search index in {folder}: {error}") from error
        self._index.register_tokenizer(TEXT_ANALYZER, self._text)
        self._index.register_tokenizer(NAME_ANALYZER, self._names)
        self._index.config_reader("OnCommit")

    # -- writing -----------------------------------------------------------------------

    def replace_papers(self, papers: Sequence[Paper]) -> None:
        with self._lock:
            writer = self._open_writer()
            for paper in papers:
                writer.delete_documents_by_term("arxiv_id", paper.arxiv_id)
                writer.add_document(self._document(paper))

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

    def _document(self, paper: Paper) -> tantivy.Document:
        categories = [category.lower() for category in paper.categories]
        archives = {category.split(".")[0] for category in categories}
        return tantivy.Document(
            arxiv_id=paper.arxiv_id,
            title=_with_compounds(paper.title),
            abstract=_with_compounds(paper.abstract or ""),
            authors=" ; ".join(paper.authors),
            categories=sorted({*categories, *archives}),
            announced=_day_number(paper),
        )

    # -- state -------------------------------------------------------------------------

    def state(self) -> IndexState | None:
        try:
            data = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
            return IndexState(str(data["instance_id"]), int(data["change_seq"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

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
        if sort == "relevance" and query.has_text:
            broad = self._broad_filter(searcher, query)
            found = self._rank_then_filter(searcher, query, broad, limit, offset) if broad else None
            if found is not None:
                return found
        built = self._build(query)
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
        # ``count`` exists at run time but is missing from tantivy's type stubs.
        total = getattr(result, "count", None) or 0
        return SearchHits(tuple(hits), int(total))

    def _broad_filter(self, searcher: Any, query: ParsedQuery) -> BroadFilter | None:
        """A categories-only filter on an any-word query, if it keeps many papers.

        Required words or phrases make the matches few, the estimate small and the
        ranking without the filter a wasted search: those are filtered first.
        """
        if query.authors or query.date_from or query.date_to or query.required_words \
                or query.phrases:
            return None
        categories = _categories(query)
        return broad_filter(categories, searcher.num_docs, {
            category: searcher.doc_freq("categories", category) for category in categories})

    def _rank_then_filter(
        self, searcher: Any, query: ParsedQuery, broad: BroadFilter, limit: int, offset: int
    ) -> SearchHits | None:
        """The page ranked without the filter, cut to the categories; ``None``: not here.

        The same page as the filtered query, since filters do not score; the total
        is estimated. Gives up (``None``) when the estimate is small enough to
        count, or when the candidates held too few papers of the categories.
        """
        unfiltered = self._build(replace(query, categories=()))
        if unfiltered is None:
            return None
        wanted = offset + limit
        candidates = broad.candidates(wanted)
        result = self._run(searcher, unfiltered, limit=candidates, count=True)
        estimate = broad.estimated_total(int(getattr(result, "count", None) or 0))
        if estimate < self.estimate_floor or not result.hits:
            return None
        ids = [self._arxiv_id(searcher, address) for _, address in result.hits]
        in_categories = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self._schema, "arxiv_id", ids)),
            *self._filter_clauses(query),
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

    @staticmethod
    def _run(searcher: Any, query: tantivy.Query, **options: Any) -> Any:
        try:
            return searcher.search(query, **options)
        except ValueError as error:
            raise SearchIndexError(f"the search index failed: {error}") from error

    @staticmethod
    def _arxiv_id(searcher: Any, address: Any) -> str:
        return str(searcher.doc(address)["arxiv_id"][0])

    def _build(self, query: ParsedQuery) -> tantivy.Query | None:
        """Translate the parsed query; ``None`` when nothing can match."""
        occur = tantivy.Occur
        words = [word for word in query.words if not self._is_stopword(word)] or query.words
        # Each word's per-field clauses go straight into the OR, not nested per word:
        # the same matches and scores, about half the time at a million papers.
        optional = [clause for word in self._loose_words(words)
                    for clause in self._field_clauses(word)]
        optional += [clause for clause in map(self._prefix_clause, query.prefixes) if clause]
        required = [clause for clause in (
            *(self._text_clause(word) for word in query.required_words),
            *(self._text_clause(phrase, as_phrase=True) for phrase in query.phrases),
        ) if clause]
        if query.has_text and not (required or optional):
            return None  # only emoji or punctuation: nothing can match
        excluded = [clause for clause in (
            *(self._text_clause(word) for word in query.excluded_words),
            *(self._text_clause(phrase, as_phrase=True) for phrase in query.excluded_phrases),
        ) if clause]
        filters = self._filter_clauses(query)
        if optional and not (required or excluded or filters):
            # The plain OR of terms itself, not wrapped: only a bare union lets tantivy
            # skip documents that cannot reach the top (block-max WAND).
            return tantivy.Query.boolean_query([(occur.Should, clause) for clause in optional])
        clauses: list[tuple[Any, tantivy.Query]] = [(occur.Must, clause) for clause in required]
        if required:
            clauses += [(occur.Should, clause) for clause in optional]
        elif optional:
            # Beside the filters' Must clauses, loose Should clauses would only rank, not
            # match: grouped, at least one of the words has to be there.
            clauses.append((occur.Must, tantivy.Query.boolean_query(
                [(occur.Should, clause) for clause in optional])))
        clauses += [(occur.MustNot, clause) for clause in excluded]
        clauses += filters
        if not any(kind in (occur.Should, occur.Must) for kind, _ in clauses):
            clauses.append((occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _filter_clauses(self, query: ParsedQuery) -> list[tuple[Any, tantivy.Query]]:
        """The filters as required clauses that match without scoring.

        A filter adds nothing to a paper's score (as on PostgreSQL): a category or
        author term scored by BM25 would rank papers with fewer categories or
        authors higher, and ranking before filtering (``_rank_then_filter``)
        relies on filters leaving the scores alone.
        """
        filters: list[tantivy.Query] = []
        for author in query.authors:
            names = list(self._names.analyze(author))
            if names:
                filters.append(self._phrase_or_term("authors", names))
        terms = [tantivy.Query.term_query(self._schema, "categories", category)
                 for category in _categories(query)]
        if len(terms) == 1:
            # Bare, not as a one-clause OR: the same matches, and tantivy intersects
            # a term's postings faster than a union's (p50 -11% at 1M papers).
            filters.append(terms[0])
        elif terms:
            filters.append(tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, term) for term in terms]))
        if query.date_from or query.date_to:
            filters.append(tantivy.Query.range_query(
                self._schema, "announced", tantivy.FieldType.Integer,
                _date_number(query.date_from), _date_number(query.date_to),
            ))
        return [(tantivy.Occur.Must, tantivy.Query.const_score_query(found, 0.0))
                for found in filters]

    def _is_stopword(self, word: str) -> bool:
        return bool(self._names.analyze(word)) and not self._stopwords.analyze(word)

    def _loose_words(self, words: Sequence[str]) -> list[str]:
        """The words to OR: a hyphenated word also by its parts, each word once.

        "large-scale" counts whole (written solid) and as "large" and "scale", which
        find "large scale" written apart: +0.012 nDCG@10 on SciFact and Cranfield
        over a phrase of the parts, at a fraction of a phrase's cost (bench/README.md).
        """
        found: dict[str, str] = {}
        for word in words:
            found.setdefault(word.lower(), word)
            if _solid_compound(word) is not None:
                for part in _EDGES.sub("", word).split("-"):
                    if not self._is_stopword(part):
                        found.setdefault(part.lower(), part)
        return list(found.values())

    def _text_clause(self, text: str, as_phrase: bool = False) -> tantivy.Query | None:
        """Match ``text`` (a word or a phrase) in title (boosted), abstract or authors.

        A required or excluded hyphenated word counts written solid or as the phrase
        of its parts ("zero-shot", "zeroshot", "zero shot").
        """
        clauses = self._field_clauses(text, as_phrase)
        if not as_phrase and _solid_compound(text) is not None:
            clauses = [*self._field_clauses(text, fields=_PROSE_FIELDS),
                       *self._field_clauses(text, as_phrase=True)]
        per_field = [(tantivy.Occur.Should, clause) for clause in clauses]
        return tantivy.Query.boolean_query(per_field) if per_field else None

    def _field_clauses(
        self, text: str, as_phrase: bool = False,
        fields: Sequence[tuple[str, float]] = _TEXT_FIELDS,
    ) -> list[tantivy.Query]:
        """``text`` as a term or phrase in each text field, boosted by the field's weight.

        A bare hyphenated word is, in title and abstract, the one word the documents
        also hold written solid ("state-of-the-art" -> "stateoftheart"): one term
        where a phrase over frequent parts made the slowest queries (bench/README.md).
        """
        solid = None if as_phrase else _solid_compound(text)
        clauses = []
        for field_name, boost in fields:
            analyzer = self._names if field_name == "authors" else self._text
            tokens = list(analyzer.analyze(text))
            if solid is not None and field_name != "authors":
                tokens = list(analyzer.analyze(solid)) or tokens  # too long: the phrase
            if tokens:
                clauses.append(tantivy.Query.boost_query(
                    self._phrase_or_term(field_name, tokens), boost))
        return clauses

    def _phrase_or_term(self, field_name: str, tokens: list[str]) -> tantivy.Query:
        if len(tokens) == 1:
            return tantivy.Query.term_query(self._schema, field_name, tokens[0])
        words: list[str | tuple[int, str]] = list(tokens)
        return tantivy.Query.phrase_query(self._schema, field_name, words)

    def _prefix_clause(self, prefix: str) -> tantivy.Query | None:
        tokens = self._names.analyze(prefix)
        if len(tokens) != 1:
            return None
        pattern = _regex_escape(tokens[0]) + ".*"
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.regex_query(self._schema, field_name, pattern), boost))
            for field_name, boost in _TEXT_FIELDS
        ])


def _with_compounds(text: str) -> list[str]:
    """The text, plus its hyphenated words written solid as a second value.

    A second value rather than appended words: phrases never match across the
    two, so "zero-shot" still is the phrase "zero shot" as well as "zeroshot".
    """
    # Token by token: a hyphenated word never spans whitespace, and scanning only the
    # tokens holding a hyphen is 8x faster than the regex over the whole text (which
    # was two thirds of indexing time at 1M papers, bench/README.md).
    solid = [match.group().replace("-", "") for token in text.split() if "-" in token
             for match in _COMPOUND.finditer(token)]
    return [text, " ".join(solid)] if solid else [text]


def _solid_compound(word: str) -> str | None:
    """``word`` without its hyphens if it is a hyphenated word, else ``None``."""
    core = _EDGES.sub("", word)
    return core.replace("-", "") if _COMPOUND.fullmatch(core) else None


def _categories(query: ParsedQuery) -> tuple[str, ...]:
    """The categories filtered on, as the index holds them (lower case)."""
    return tuple(category.strip().lower() for category in query.categories if category.strip())


def _date_number(day: Any) -> int | None:
    return day.year * 10_000 + day.month * 100 + day.day if day else None


def _regex_escape(token: str) -> str:
    return "".join(ch if ch.isalnum() else "\\" + ch for ch in token)


@contextmanager
def opened_index(folder: Path) -> Iterator[TantivyIndex]:
    index = TantivyIndex(folder)
    try:
        yield index
    finally:
        index.close()
