"""Parsed queries as tantivy queries, over the fields of ``tantivy_schema``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tantivy

from papertide.search.facet_terms import day_number, wanted_categories
from papertide.search.query import ParsedQuery
from papertide.search.tantivy_schema import (
    EDGES,
    PROSE_FIELDS,
    TEXT_FIELDS,
    WORDS_FIELD,
    name_analyzer,
    solid_compound,
    stopword_analyzer,
    text_analyzer,
    word_analyzer,
)


@dataclass(frozen=True, slots=True)
class PrefixExpansion:
    """The words of the index a prefix stands for (the most frequent, at most a bound)."""

    words: tuple[str, ...]
    names: tuple[str, ...]
    truncated: bool


def expand_prefix(searcher: Any, prefix: str, limit: int) -> PrefixExpansion:
    """The words and author names starting with ``prefix``, read from the term dictionary."""
    tokens = word_analyzer().analyze(prefix)
    if len(tokens) != 1:
        return PrefixExpansion((), (), False)
    found = {name: searcher.terms_with_prefix(name, tokens[0], limit=limit + 1)
             for name in (WORDS_FIELD, "authors")}
    return PrefixExpansion(tuple(term for term, _ in found[WORDS_FIELD][:limit]),
                           tuple(term for term, _ in found["authors"][:limit]),
                           any(len(terms) > limit for terms in found.values()))


class QueryBuilder:
    """Builds the tantivy query of a parsed query (words, phrases, filters)."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self._schema = schema
        self._text = text_analyzer()
        self._names = name_analyzer()
        self._stopwords = stopword_analyzer()

    def build(
        self, query: ParsedQuery, expansions: Mapping[str, PrefixExpansion] | None = None
    ) -> tantivy.Query | None:
        """Translate the parsed query; ``None`` when nothing can match.

        ``expansions``: the words each prefix stands for (``expand_prefix``); a
        prefix missing there matches nothing.
        """
        occur = tantivy.Occur
        words = [word for word in query.words if not self._is_stopword(word)] or query.words
        # Each word's per-field clauses go straight into the OR, not nested per word:
        # the same matches and scores, about half the time at a million papers.
        optional = [clause for word in self._loose_words(words)
                    for clause in self._field_clauses(word)]
        expanded = expansions or {}
        optional += [clause for clause in (self._prefix_clause(expanded[prefix])
                                           for prefix in query.prefixes if prefix in expanded)
                     if clause]
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
        filters = self.filter_clauses(query)
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

    def filter_clauses(self, query: ParsedQuery) -> list[tuple[Any, tantivy.Query]]:
        """The filters as required clauses that match without scoring.

        A filter adds nothing to a paper's score (as on PostgreSQL): a category or
        author term scored by BM25 would rank papers with fewer categories or
        authors higher, and ranking before filtering (``TantivyIndex._rank_then_filter``)
        relies on filters leaving the scores alone.
        """
        filters: list[tantivy.Query] = []
        for author in query.authors:
            names = list(self._names.analyze(author))
            if names:
                filters.append(self._phrase_or_term("authors", names))
        terms = [tantivy.Query.term_query(self._schema, "categories", category)
                 for category in wanted_categories(query.categories)]
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
                _bound(query.date_from), _bound(query.date_to),
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
            if solid_compound(word) is not None:
                for part in EDGES.sub("", word).split("-"):
                    if not self._is_stopword(part):
                        found.setdefault(part.lower(), part)
        return list(found.values())

    def _text_clause(self, text: str, as_phrase: bool = False) -> tantivy.Query | None:
        """Match ``text`` (a word or a phrase) in title (boosted), abstract or authors.

        A required or excluded hyphenated word counts written solid or as the phrase
        of its parts ("zero-shot", "zeroshot", "zero shot").
        """
        clauses = self._field_clauses(text, as_phrase)
        if not as_phrase and solid_compound(text) is not None:
            clauses = [*self._field_clauses(text, fields=PROSE_FIELDS),
                       *self._field_clauses(text, as_phrase=True)]
        per_field = [(tantivy.Occur.Should, clause) for clause in clauses]
        return tantivy.Query.boolean_query(per_field) if per_field else None

    def _field_clauses(
        self, text: str, as_phrase: bool = False,
        fields: Sequence[tuple[str, float]] = TEXT_FIELDS,
    ) -> list[tantivy.Query]:
        """``text`` as a term or phrase in each text field, boosted by the field's weight.

        A bare hyphenated word is, in title and abstract, the one word the documents
        also hold written solid ("state-of-the-art" -> "stateoftheart"): one term
        where a phrase over frequent parts made the slowest queries (bench/README.md).
        """
        solid = None if as_phrase else solid_compound(text)
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

    def _prefix_clause(self, expansion: PrefixExpansion) -> tantivy.Query | None:
        """Papers holding a word (as typed, or an author name) that starts with the prefix.

        Matched on the unstemmed words, so ``distill*`` finds "distillation" although
        its stem is "distil"; ranked by the stems of those words, as words are.
        """
        found = [tantivy.Query.term_set_query(self._schema, name, list(terms))
                 for name, terms in ((WORDS_FIELD, expansion.words),
                                     ("authors", expansion.names)) if terms]
        if not found:
            return None
        stems = dict.fromkeys(stem for word in expansion.words for stem in self._text.analyze(word))
        ranking = [tantivy.Query.boost_query(
            tantivy.Query.term_query(self._schema, field_name, stem), boost)
            for stem in stems for field_name, boost in PROSE_FIELDS]
        matching = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in found])
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.const_score_query(matching, 0.1)),
            *((tantivy.Occur.Should, clause) for clause in ranking),
        ])


def _bound(day: dt.date | None) -> int | None:
    """A date filter's end as the ``announced`` field holds it; ``None``: open."""
    return day_number(day) if day else None
