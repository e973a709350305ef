"""The keyword index of the PostgreSQL deployment: tsvector documents with BM25 in SQL.

Several web processes on several machines share one database, so the index
lives there too: one row per paper in ``search_documents`` (title weight A,
abstract B, authors C, with a GIN index), written by the keyword sync like the
tantivy index, with the state committed in the same transaction as the rows.

Ranking is BM25 computed in SQL from the tsvector's positions (per-field term
frequencies and lengths, document frequencies counted through the GIN index):
on the SciFact train queries it matched tantivy and scored far above
``ts_rank``/``ts_rank_cd``, which know no inverse document frequency
(bench/README.md, "Search inside PostgreSQL"). Only the best candidates are
scored when a query matches many papers: those holding its rarer words (all of
its words, when even the rarest is common), never more than a few thousand, the newest.

``search_vocabulary`` lists every word as typed with how many papers hold it, kept
in the same transaction as the documents: typos are corrected from it at edit
distance 1 and 2 as on tantivy, a prefix stands for at most ``MAX_PREFIX_WORDS``
of its words (the most frequent, with a notice), and a pasted text is searched by
its rarest words (``long_queries``). Its counts are not lowered when a paper is
deleted (rare; a stale word finds nothing and is never suggested, since a typo's
candidates are counted again through the GIN index).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from papertide.models import Paper
from papertide.search.author_names import fold_accents
from papertide.search.base import IndexState, SearchHit, SearchHits, SortOrder
from papertide.search.facet_terms import filed_categories
from papertide.search.long_queries import LONG_QUERY_WORDS, key_words
from papertide.search.postgres_facets import facet_conditions
from papertide.search.query import MAX_PREFIX_WORDS, ParsedQuery, bounded_prefix_notice
from papertide.search.spelling import NEAR_WORDS_SCANNED, near_word_starts, within_distance

if TYPE_CHECKING:
    import psycopg

    from papertide.store.postgres.store import PostgresStore

    Connection = psycopg.Connection[Any]

# "bm25", or "ts_rank" / "ts_rank_cd" with ":flags" (normalisation) to compare against it.
Ranking = str
TEXT_CONFIG = "papertide_english"
NAME_CONFIG = "simple"
# The words as typed (lower-cased, not stemmed): prefixes and typo corrections.
WORDS_CONFIG = "simple"
STATE_NAME = "keyword"
# BM25's constants as tantivy's.
K1 = 1.2
B = 0.75
# Title (A), abstract (B), authors (C). Tuned on the SciFact train queries with document
# frequencies over whole papers (0.676 nDCG@10; 1.0 gave 0.680 but ranked a word in the
# abstract above the same word in a title; per-field frequencies as tantivy's: 0.664).
FIELD_BOOSTS = (1.25, 1.0, 0.5)
# ts_rank's weights for D, C, B, A (only when ranking by ts_rank, for comparison).
TS_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# Above this many matches only the papers holding the query's rarer words are scored.
CANDIDATE_MAX = 1_000
# Whatever the words, at most this many times as many candidates are scored: the newest
# (a phrase of two common words, or one word most papers hold, can match a fifth of them).
HARD_MAX_SHARE = 3
STATS_SECONDS = 60.0
# A close word found in the vocabulary is counted again (through the GIN index) up to this.
NEAR_COUNTED = 10_000
# pg_advisory_xact_lock key of keyword index writers ("papertide search").
INDEX_LOCK = 0x70617065_72736561
_WORD = re.compile(r"\w+")
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")

_ANALYSE = f"""
    SELECT tsvector_to_array(to_tsvector({{config}}, t)),
           ARRAY(SELECT lexeme FROM unnest(to_tsvector({{config}}, t)) AS own
                 WHERE length(to_tsvector('english', lexeme)) > 0),
           CASE WHEN length(to_tsvector({{config}}, t)) > 0
                THEN phraseto_tsquery({{config}}, t)::text END,
           CASE WHEN length(to_tsvector('{NAME_CONFIG}', t)) > 0
                THEN phraseto_tsquery('{NAME_CONFIG}', t)::text END
    FROM unnest(%s::text[]) WITH ORDINALITY AS items(t, n) ORDER BY n
"""
_UPSERT = f"""
    INSERT INTO search_documents (arxiv_id, change_seq, document, authors, categories, announced,
                                  title_length, abstract_length, authors_length, words)
    SELECT d.arxiv_id, d.change_seq,
           setweight(to_tsvector({{config}}, d.title), 'A')
           || setweight(to_tsvector({{config}}, d.title_solid), 'A')
           || setweight(to_tsvector({{config}}, d.abstract), 'B')
           || setweight(to_tsvector({{config}}, d.abstract_solid), 'B')
           || setweight(to_tsvector({{config}}, d.authors), 'C'),
           to_tsvector('{NAME_CONFIG}', d.authors),
           string_to_array(d.categories, ' '), d.announced,
           d.title_length, d.abstract_length, d.authors_length,
           to_tsvector('{WORDS_CONFIG}', d.title || ' ' || d.abstract || ' ' || d.authors)
    FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::date[], %s::int[], %s::int[], %s::int[], %s::text[], %s::text[])
         AS d(arxiv_id, change_seq, title, abstract, authors, categories, announced,
              title_length, abstract_length, authors_length, title_solid, abstract_solid)
    WHERE EXISTS (SELECT 1 FROM papers p WHERE p.arxiv_id = d.arxiv_id)
    ON CONFLICT (arxiv_id) DO UPDATE SET
        change_seq = excluded.change_seq, document = excluded.document,
        authors = excluded.authors, categories = excluded.categories,
        announced = excluded.announced, title_length = excluded.title_length,
        abstract_length = excluded.abstract_length, authors_length = excluded.authors_length,
        words = excluded.words
    WHERE search_documents.change_seq <= excluded.change_seq
"""
# The documents written, and the vocabulary moved by the words they gained and lost (the
# previous version of a replaced paper is read in the same snapshot as the write).
_WRITE = f"""
    WITH previous AS (
        SELECT arxiv_id, words FROM search_documents WHERE arxiv_id = ANY(%s::text[])
    ), written AS (
        {_UPSERT} RETURNING arxiv_id, words
    ), changes AS (
        SELECT word, sum(change)::int AS change FROM (
            SELECT unnest(tsvector_to_array(w.words)) AS word, 1 AS change FROM written w
            UNION ALL
            SELECT unnest(tsvector_to_array(p.words)), -1
            FROM previous p JOIN written w USING (arxiv_id)
        ) AS c GROUP BY word
    )
    INSERT INTO search_vocabulary AS v (word, papers)
    SELECT word, change FROM changes WHERE change <> 0
    ON CONFLICT (word) DO UPDATE SET papers = v.papers + excluded.papers
"""
# Per prefix (a range of the C-collated key), its most frequent words.
_EXPAND = """
    SELECT p.n, v.word, v.papers
    FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS p(low, high, n)
    CROSS JOIN LATERAL (
        SELECT word, papers FROM search_vocabulary
        WHERE word >= p.low COLLATE "C" AND word < p.high COLLATE "C" AND papers > 0
        ORDER BY papers DESC, word LIMIT %s
    ) AS v
"""
# How many papers hold each text's words (its commonest word, as typed).
_PAPERS_HOLDING = """
    SELECT coalesce((SELECT max(v.papers) FROM search_vocabulary v
                     WHERE v.word = ANY(tsvector_to_array(to_tsvector('simple', t)))), 0)
    FROM unnest(%s::text[]) WITH ORDINALITY AS items(t, n) ORDER BY n
"""
_SAVE_STATE = """
    INSERT INTO search_index_state (name, instance_id, seq) VALUES (%s, %s, %s)
    ON CONFLICT (name) DO UPDATE SET
        seq = CASE WHEN search_index_state.instance_id = excluded.instance_id
                   THEN greatest(search_index_state.seq, excluded.seq) ELSE excluded.seq END,
        instance_id = excluded.instance_id
"""
_BM25_FIELD = ("{boost} * m.idf_{w} * tf_{w} * {k1p} "
               "/ (tf_{w} + {k1} * (1 - {b} + {b} * m.{column} / {avg}))")


@dataclass(slots=True)
class _Plan:
    """A parsed query in tsquery terms (texts of tsqueries, lexemes and filters)."""

    loose: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    scored: list[str] = field(default_factory=list)

    # Per prefix, the part of it its words share once stemmed ("distill" -> "distil"),
    # by which prefix matches are ranked.
    prefix_stems: list[str] = field(default_factory=list)
    # Prefixes standing for more words than are searched: the words searched, and an
    # estimate of the papers holding them (their stem's count would read every posting).
    bounded: dict[str, tuple[list[str], int]] = field(default_factory=dict)
    # Only stopwords were typed ("a", "the of"): nearly every paper holds them.
    stopwords_only: bool = False

    def loose_query(self) -> str:
        return " | ".join(map(_quote, self.loose))

    def prefix_query(self) -> str:
        return " | ".join(
            "(" + " | ".join(map(_quote, self.bounded[p][0])) + ")" if p in self.bounded
            else _quote(p) + ":*" for p in self.prefixes)

    def loose_condition(self) -> tuple[str, list[str]]:
        """Papers holding a loose word (stemmed) or a word that starts with a prefix."""
        parts = [("document @@ %s::tsquery", self.loose_query())] * bool(self.loose)
        parts += [("words @@ %s::tsquery", self.prefix_query())] * bool(self.prefixes)
        return "(" + " OR ".join(part for part, _ in parts) + ")", [v for _, v in parts]


@dataclass(frozen=True, slots=True)
class _Stats:
    documents: int
    average_lengths: tuple[float, float, float]


class PostgresKeywordIndex:
    """``search_documents`` of a PostgreSQL store; thread-safe, shared by processes."""

    def __init__(self, store: PostgresStore, ranking: Ranking = "bm25",
                 candidate_max: int = CANDIDATE_MAX, text_config: str = TEXT_CONFIG,
                 field_idf: bool = False) -> None:
        if not re.fullmatch(r"[a-z_]+", text_config):
            raise ValueError(f"not a text search configuration name: {text_config!r}")
        self.store = store
        self.ranking = ranking
        self.candidate_max = candidate_max
        self.field_idf = field_idf  # per-field document frequencies (kept to compare)
        self._analyse_sql = _ANALYSE.format(config=f"'{text_config}'")
        self._write_sql = _WRITE.format(config=f"'{text_config}'")
        self._lock = threading.Lock()
        self._staged: list[Paper] = []
        self._stats: tuple[float, _Stats] | None = None
        self._frequencies: dict[str, tuple[int, int, int, int]] = {}

    # -- writing -----------------------------------------------------------------------

    def replace_papers(self, papers: Sequence[Paper]) -> None:
        with self._lock:
            self._staged.extend(papers)

    def commit(self, state: IndexState) -> None:
        with self._lock:
            staged, self._staged = self._staged, []
        with self.store._guard("writing the search index"), self.store.borrow() as borrowed:
            connection = borrowed.raw
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
                if staged:
                    latest = _latest(staged)
                    connection.execute(self._write_sql, [[paper.arxiv_id for paper in latest],
                                                         *_columns(latest)])
                connection.execute(_SAVE_STATE, (STATE_NAME, state.instance_id,
                                                 state.change_seq))
        self._forget_statistics()

    def clear(self) -> None:
        with self._lock:
            self._staged = []
        with self.store._guard("clearing the search index"), self.store.borrow() as borrowed:
            connection = borrowed.raw
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
                connection.execute("TRUNCATE search_documents, search_vocabulary")
                connection.execute("DELETE FROM search_index_state WHERE name = %s",
                                   (STATE_NAME,))
        self._forget_statistics()

    def close(self) -> None:
        with self._lock:
            self._staged = []

    def state(self) -> IndexState | None:
        with self.store._guard("reading the search index state"), \
                self.store.borrow() as borrowed:
            row = borrowed.raw.execute(
                "SELECT instance_id, seq FROM search_index_state WHERE name = %s", (STATE_NAME,)
            ).fetchone()
        return IndexState(str(row[0]), int(row[1])) if row else None

    # -- searching ---------------------------------------------------------------------

    def search(
        self, query: ParsedQuery, limit: int, offset: int = 0, sort: SortOrder = "relevance"
    ) -> SearchHits:
        with self.store._guard("searching"), self.store.borrow() as borrowed:
            connection = borrowed.raw
            if len(query.words) > LONG_QUERY_WORDS:
                counts = dict(zip(query.words, _papers_holding(connection, query.words),
                                  strict=True))
                query = replace(query, words=key_words(query.words, counts.__getitem__))
            plan = self._plan(connection, query)
            if plan is None:
                return SearchHits((), 0)
            notices = tuple(bounded_prefix_notice(prefix) for prefix in plan.bounded)
            conditions, parameters = self._conditions(plan, query)
            where = " AND ".join(conditions) or "TRUE"
            if sort == "date" or not query.has_text:
                found = self._by_date(connection, where, parameters, limit, offset)
            elif self._common_words_only(plan, query):
                # BM25 cannot tell papers apart by words nearly all of them hold, and
                # scoring or even counting those papers reads most of the collection.
                found = self._by_date(connection, where, parameters, limit, offset,
                                      _papers_holding_any(connection, plan.loose))
                notices += (f"Only very common words were typed ({', '.join(plan.loose)}),"
                            f" so the newest papers holding them are listed first.",)
            elif self.ranking != "bm25":
                found = self._by_ts_rank(connection, plan, where, parameters, limit, offset)
            else:
                found = self._by_bm25(connection, plan, where, parameters, limit, offset)
            return replace(found, notices=notices)

    def _plan(self, connection: Connection, query: ParsedQuery) -> _Plan | None:
        """Analyse every text of the query in one round trip; ``None`` if nothing can match."""
        compounds = {word: solid for word in (*query.words, *query.required_words,
                                              *query.excluded_words)
                     if (solid := _solid_compound(word)) is not None}
        phrases = {phrase: _HYPHEN.sub(" ", phrase)
                   for phrase in (*query.phrases, *query.excluded_phrases)}
        texts = [*query.words, *query.required_words, *query.excluded_words, *phrases.values(),
                 *query.authors, *query.prefixes,
                 *(_EDGES.sub("", word).replace("-", " ") for word in compounds),
                 *compounds.values()]
        rows = _analyse(connection, self._analyse_sql, texts)
        analysed = dict(zip(texts, rows, strict=True))
        plan = _Plan()
        meaningful = [analysed[word][1] + analysed[compounds[word]][1] if word in compounds
                      else analysed[word][1] for word in query.words if analysed[word][1]]
        chosen = meaningful or [analysed[word][0] for word in query.words]
        plan.stopwords_only = not meaningful and bool(query.words)
        plan.loose = list(dict.fromkeys(lexeme for lexemes in chosen for lexeme in lexemes))
        prefixes = {fold_accents(p).lower(): p for p in query.prefixes}
        plan.prefixes = [prefix for prefix in prefixes if prefix.isalnum()]
        plan.prefix_stems = [_shared_stem(prefix, analysed[prefixes[prefix]][0])
                             for prefix in plan.prefixes]
        plan.bounded = _bounded_prefixes(connection, plan.prefixes)
        plan.required = [q for q in (self._word_query(w, analysed, compounds)
                                     for w in query.required_words) if q]
        plan.required += [q for phrase in query.phrases if (q := analysed[phrases[phrase]][2])]
        if query.has_text and not (plan.required or plan.loose or plan.prefixes):
            return None
        plan.excluded = [q for q in (self._word_query(w, analysed, compounds)
                                     for w in query.excluded_words) if q]
        plan.excluded += [q for phrase in query.excluded_phrases
                          if (q := analysed[phrases[phrase]][2])]
        plan.authors = [q for author in query.authors if (q := analysed[author][3])]
        plan.scored = list(dict.fromkeys([
            *plan.loose,
            *(lexeme for text in (*query.required_words, *(phrases[p] for p in query.phrases))
              for lexeme in analysed[text][0]),
        ]))
        return plan

    @staticmethod
    def _word_query(word: str, analysed: dict[str, Any], compounds: dict[str, str]) -> str | None:
        """A required or excluded word; a hyphenated one also written apart or solid."""
        own = analysed[word][2]
        solid = compounds.get(word)
        if solid is None:
            return own  # type: ignore[no-any-return]
        apart = analysed[_EDGES.sub("", word).replace("-", " ")][2]
        options = [f"({q})" for q in (own, apart, analysed[solid][2]) if q]
        return " | ".join(options) or None

    def _conditions(self, plan: _Plan, query: ParsedQuery) -> tuple[list[str], list[Any]]:
        conditions: list[str] = []
        parameters: list[Any] = []
        if plan.required:
            conditions.append("document @@ %s::tsquery")
            parameters.append(" & ".join(f"({q})" for q in plan.required))
        elif plan.loose or plan.prefixes:
            condition, values = plan.loose_condition()
            conditions.append(condition)
            parameters += values
        if plan.excluded:
            conditions.append("NOT document @@ %s::tsquery")
            parameters.append(" | ".join(f"({q})" for q in plan.excluded))
        if plan.authors:
            conditions.append("authors @@ %s::tsquery")
            parameters.append(" & ".join(f"({q})" for q in plan.authors))
        facets, values = facet_conditions(query.categories, query.date_from, query.date_to)
        return conditions + facets, parameters + values

    @staticmethod
    def _common_words_only(plan: _Plan, query: ParsedQuery) -> bool:
        return plan.stopwords_only and not (plan.required or plan.prefixes or plan.excluded
                                             or query.has_filters)

    def _by_date(
        self, connection: Connection, where: str, parameters: list[Any], limit: int,
        offset: int, estimate: int | None = None,
    ) -> SearchHits:
        """Newest first; counted, or ``estimate`` (shown as "about") when given."""
        total = _count(connection, where, parameters) if estimate is None else estimate
        rows = connection.execute(
            f"SELECT arxiv_id FROM search_documents WHERE {where} "
            f"ORDER BY announced DESC NULLS LAST, arxiv_id DESC LIMIT %s OFFSET %s",
            [*parameters, limit, offset],
        ).fetchall() if limit > 0 else []
        if estimate is not None and rows:
            # An estimate (the word list's largest count) never claims fewer than listed.
            total = max(int(total), offset + len(rows))
        return SearchHits(tuple(SearchHit(row[0], 0.0) for row in rows), total,
                          total_exact=estimate is None)

    def _by_ts_rank(
        self, connection: Connection, plan: _Plan, where: str, parameters: list[Any],
        limit: int, offset: int,
    ) -> SearchHits:
        """``ts_rank`` or ``ts_rank_cd`` (kept to compare against BM25 in the benchmark)."""
        function, _, flags = self.ranking.partition(":")
        rank_query = " | ".join(
            [f"({plan.loose_query()})"] * bool(plan.loose)
            + [f"({_quote(stem)}:*)" for stem in plan.prefix_stems]
            + [f"({q})" for q in plan.required])
        total = _count(connection, where, parameters)
        rows = connection.execute(
            f"SELECT arxiv_id, {function}(%s::float4[], document, %s::tsquery, %s) AS score "
            f"FROM search_documents WHERE {where} ORDER BY score DESC, arxiv_id "
            f"LIMIT %s OFFSET %s",
            [TS_WEIGHTS, rank_query, int(flags or 0), *parameters, limit, offset],
        ).fetchall()
        return SearchHits(tuple(SearchHit(row[0], float(row[1])) for row in rows), int(total))

    def _by_bm25(
        self, connection: Connection, plan: _Plan, where: str, parameters: list[Any],
        limit: int, offset: int,
    ) -> SearchHits:
        total = _count(connection, where, parameters)
        if total == 0 or limit <= 0:
            return SearchHits((), total)
        stats = self._statistics(connection)
        terms = [(lexeme, False) for lexeme in plan.scored]
        terms += [(stem, True) for stem in plan.prefix_stems]
        estimated = {len(plan.scored) + i: min(plan.bounded[prefix][1], stats.documents)
                     for i, prefix in enumerate(plan.prefixes) if prefix in plan.bounded}
        per_field = [(estimated[i],) * 4 if i in estimated
                     else self._frequency(connection, lexeme, prefix, self.field_idf)
                     for i, (lexeme, prefix) in enumerate(terms)]
        frequencies = [counts[0] for counts in per_field]
        # Per field, as tantivy: a word rare in titles weighs more in a title.
        idf = [[math.log(1 + (stats.documents - counts[field] + 0.5) / (counts[field] + 0.5))
                for counts in per_field] for field in ((1, 2, 3) if self.field_idf else (0, 0, 0))]
        candidates, candidate_parameters = where, parameters
        # A bounded prefix's stem stands for more words than were searched: never matched.
        narrowing = [i for i in range(len(terms)) if i not in estimated]
        if total > self.candidate_max and not plan.required and narrowing:
            # Papers holding only the query's commonest words cannot reach the top:
            # match on the rarer words while they are few enough (always the rarest).
            order = sorted(narrowing, key=lambda i: frequencies[i])
            kept: list[int] = []
            reach = 0
            for i in order:
                if kept and reach + frequencies[i] > self.candidate_max:
                    break
                kept.append(i)
                reach += frequencies[i]
            joiner = " | "
            if len(kept) == 1 and len(narrowing) > 1 and reach > self.candidate_max:
                joiner, kept = " & ", narrowing  # even the rarest is common
            rare = joiner.join(_quote(terms[i][0]) + (":*" if terms[i][1] else "") for i in kept)
            candidates = f"{where} AND document @@ %s::tsquery"
            candidate_parameters = [*parameters, rare]
            if joiner == " & " and _count(connection, candidates, candidate_parameters) < \
                    offset + limit:
                candidates, candidate_parameters = where, parameters  # too few have them all
        fields = " + ".join(
            _BM25_FIELD.format(boost=boost, w=w, k1p=K1 + 1, k1=K1, b=B, column=column,
                               avg=max(average, 1.0))
            for boost, w, column, average in zip(
                FIELD_BOOSTS, "abc", ("title_length", "abstract_length", "authors_length"),
                stats.average_lengths, strict=True))
        exact = [lexeme for lexeme, prefix in terms if not prefix]
        lengths = "m.title_length, m.abstract_length, m.authors_length"
        # Each candidate's tsvector cut down to the query's words before unnesting it
        # (ts_delete twice): a tenth of the rows of unnesting every word of every paper.
        parts = [f"""
            SELECT m.arxiv_id, u.weights, t.idf_a, t.idf_b, t.idf_c, {lengths} FROM candidates m
            CROSS JOIN LATERAL unnest(ts_delete(m.document, tsvector_to_array(
                ts_delete(m.document, %s::text[])))) AS u
            JOIN terms t ON t.lexeme = u.lexeme AND NOT t.prefix"""] if exact else []
        if plan.prefixes:
            parts.append(f"""
            SELECT m.arxiv_id, u.weights, t.idf_a, t.idf_b, t.idf_c, {lengths} FROM candidates m
            CROSS JOIN LATERAL unnest(m.document) AS u
            JOIN terms t ON t.prefix AND starts_with(u.lexeme, t.lexeme)""")
        occurrences = " UNION ALL ".join(parts)
        rows = connection.execute(
            f"""
            WITH terms AS (
                SELECT * FROM unnest(%s::text[], %s::bool[], %s::float8[], %s::float8[],
                                     %s::float8[]) AS t(lexeme, prefix, idf_a, idf_b, idf_c)
            ), candidates AS MATERIALIZED (
                SELECT arxiv_id, document, title_length, abstract_length, authors_length
                FROM search_documents WHERE {candidates}
                ORDER BY announced DESC NULLS LAST LIMIT %s
            ), counts AS (
                SELECT o.arxiv_id, o.idf_a, o.idf_b, o.idf_c,
                       o.title_length, o.abstract_length, o.authors_length,
                       cardinality(array_positions(o.weights, 'A')) AS tf_a,
                       cardinality(array_positions(o.weights, 'B')) AS tf_b,
                       cardinality(array_positions(o.weights, 'C')) AS tf_c
                FROM ({occurrences}) AS o
            )
            SELECT c.arxiv_id, coalesce(s.score, 0) AS score FROM candidates c
            LEFT JOIN (SELECT m.arxiv_id, sum({fields}) AS score
                       FROM counts m GROUP BY m.arxiv_id) s USING (arxiv_id)
            ORDER BY score DESC, c.arxiv_id LIMIT %s OFFSET %s
            """,
            [[t for t, _ in terms], [p for _, p in terms], *idf, *candidate_parameters,
             max(HARD_MAX_SHARE * self.candidate_max, offset + limit),
             *([exact] if exact else []), limit, offset],
        ).fetchall()
        return SearchHits(tuple(SearchHit(row[0], float(row[1])) for row in rows), total)

    # -- vocabulary (typo corrections) --------------------------------------------------

    def word_counts(self, words: Sequence[str], at_most: int) -> dict[str, int]:
        """Papers holding each word, counted through the GIN index up to ``at_most``; only
        the words of the vocabulary are counted (a typo's 600 candidates are mostly not)."""
        if not words:
            return {}
        with self.store._guard("counting words"), self.store.borrow() as borrowed:
            rows = borrowed.raw.execute(
                "SELECT w, (SELECT count(*) FROM (SELECT 1 FROM search_documents"
                "  WHERE words @@ q::tsquery LIMIT %s) AS found)"
                " FROM unnest(%s::text[], %s::text[]) AS t(w, q)"
                " WHERE EXISTS (SELECT 1 FROM search_vocabulary v"
                "               WHERE v.word = t.w COLLATE \"C\" AND v.papers > 0)",
                (at_most, list(words), [_quote(word) for word in words]),
            ).fetchall()
        counts = dict.fromkeys(words, 0)
        counts.update({str(word): int(count) for word, count in rows})
        return counts

    def near_words(self, word: str, distance: int) -> list[tuple[str, int]]:
        """Words of the vocabulary sharing the first three letters (or two of them swapped)
        within ``distance`` edits; each is counted again through the GIN index."""
        starts = near_word_starts(word)
        if not starts:
            return []
        ranges = " OR ".join(['(word >= %s COLLATE "C" AND word < %s COLLATE "C")'] *
                             len(starts))
        with self.store._guard("looking up close words"), self.store.borrow() as borrowed:
            rows = borrowed.raw.execute(
                f"SELECT word, papers FROM search_vocabulary WHERE ({ranges}) AND papers > 0"
                f" AND length(word) BETWEEN %s AND %s ORDER BY papers DESC LIMIT %s",
                [*(bound for start in starts for bound in (start, _after_prefix(start))),
                 len(word) - distance, len(word) + distance, NEAR_WORDS_SCANNED],
            ).fetchall()
        close = within_distance(word, {str(row[0]): int(row[1]) for row in rows}, distance)
        counted = self.word_counts([term for term, _ in close], NEAR_COUNTED)
        return [(term, counted[term]) for term, _ in close if counted.get(term)]

    # -- collection statistics (cached: they move slowly) -----------------------------

    def _statistics(self, connection: Connection) -> _Stats:
        now = time.monotonic()
        cached = self._stats
        if cached is not None and now - cached[0] < STATS_SECONDS:
            return cached[1]
        row = connection.execute(
            "SELECT count(*), avg(title_length), avg(abstract_length), avg(authors_length) "
            "FROM search_documents").fetchone() or (0, 0, 0, 0)
        stats = _Stats(int(row[0]), (float(row[1] or 0), float(row[2] or 0), float(row[3] or 0)))
        with self._lock:
            self._stats = (now, stats)
            self._frequencies = {}
        return stats

    def _frequency(
        self, connection: Connection, lexeme: str, prefix: bool, per_field: bool
    ) -> tuple[int, int, int, int]:
        """How many papers hold the word: at all, in the title, abstract, authors.

        Per field only when asked: checking a field reads every matching paper's
        tsvector, where the plain count is answered from the GIN index.
        """
        key = lexeme + ("*" if prefix else "")
        found = self._frequencies.get(key)
        if found is None and not per_field:
            term = _quote(lexeme) + (":*" if prefix else "")
            count = _count(connection, "document @@ %s::tsquery", [term])
            found = self._frequencies[key] = (count, count, count, count)
        if found is None:
            term = _quote(lexeme) + (":*" if prefix else ":")
            row = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE document @@ %s::tsquery), "
                "count(*) FILTER (WHERE document @@ %s::tsquery), "
                "count(*) FILTER (WHERE document @@ %s::tsquery) "
                "FROM search_documents WHERE document @@ %s::tsquery",
                (term + "A", term + "B", term + "C", term.rstrip(":")),
            ).fetchone() or (0, 0, 0, 0)
            found = (int(row[0]), int(row[1]), int(row[2]), int(row[3]))
            self._frequencies[key] = found
        return found

    def _forget_statistics(self) -> None:
        with self._lock:
            self._stats = None
            self._frequencies = {}


def _bounded_prefixes(
    connection: Connection, prefixes: Sequence[str]
) -> dict[str, tuple[list[str], int]]:
    """The prefixes that start more than ``MAX_PREFIX_WORDS`` words: their most frequent
    words, and the sum of those words' papers (an upper bound of the papers holding one)."""
    if not prefixes:
        return {}
    rows = connection.execute(_EXPAND, (list(prefixes), [_after_prefix(p) for p in prefixes],
                                        MAX_PREFIX_WORDS + 1)).fetchall()
    words: dict[int, list[tuple[str, int]]] = {}
    for number, word, papers in rows:
        words.setdefault(int(number) - 1, []).append((str(word), int(papers)))
    return {prefixes[n]: ([word for word, _ in found[:MAX_PREFIX_WORDS]],
                          sum(papers for _, papers in found[:MAX_PREFIX_WORDS]))
            for n, found in words.items() if len(found) > MAX_PREFIX_WORDS}


def _papers_holding(connection: Connection, texts: Sequence[str]) -> list[int]:
    """Per text, how many papers hold its words (the commonest of them, as typed)."""
    rows = connection.execute(_PAPERS_HOLDING, ([fold_accents(text) for text in texts],))
    return [int(row[0]) for row in rows.fetchall()]


def _papers_holding_any(connection: Connection, words: Sequence[str]) -> int:
    """How many papers hold the commonest of ``words`` (as the vocabulary counts them)."""
    row = connection.execute(
        "SELECT coalesce(max(papers), 0) FROM search_vocabulary WHERE word = ANY(%s::text[])",
        (list(words),)).fetchone()
    return int(row[0]) if row else 0


def _after_prefix(prefix: str) -> str:
    """The first string after every string starting with ``prefix`` (in code point order,
    which is the C collation's byte order of UTF-8)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _count(connection: Connection, where: str, parameters: list[Any]) -> int:
    row = connection.execute(f"SELECT count(*) FROM search_documents WHERE {where}",
                             parameters).fetchone()
    return int(row[0]) if row else 0


def _analyse(
    connection: Connection, sql: str, texts: list[str]
) -> list[tuple[list[str], list[str], str | None, str | None]]:
    """Per text: its lexemes, those that are no English stopword, as a phrase, as a name."""
    if not texts:
        return []
    rows = connection.execute(sql, ([fold_accents(text) for text in texts],)).fetchall()
    return [(list(row[0]), list(row[1]), row[2], row[3]) for row in rows]


def _latest(papers: Sequence[Paper]) -> list[Paper]:
    """Each paper once, in its latest version (one statement cannot update a row twice)."""
    latest: dict[str, Paper] = {}
    for paper in papers:
        known = latest.get(paper.arxiv_id)
        if known is None or known.change_seq <= paper.change_seq:
            latest[paper.arxiv_id] = paper
    return list(latest.values())


def _columns(papers: Sequence[Paper]) -> list[list[Any]]:
    """The papers as the column arrays ``_UPSERT`` unnests (text folded to ASCII)."""
    titles = [fold_accents(paper.title) for paper in papers]
    abstracts = [fold_accents(paper.abstract or "") for paper in papers]
    authors = [fold_accents(" ; ".join(paper.authors)) for paper in papers]
    categories = [" ".join(filed_categories(paper.categories)) for paper in papers]
    return [
        [paper.arxiv_id for paper in papers], [paper.change_seq for paper in papers],
        titles, abstracts, authors, categories, [paper.announced_date for paper in papers],
        [len(_WORD.findall(text)) for text in titles],
        [len(_WORD.findall(text)) for text in abstracts],
        [len(_WORD.findall(text)) for text in authors],
        [_solid_words(text) for text in titles], [_solid_words(text) for text in abstracts],
    ]


def _shared_stem(prefix: str, lexemes: list[str]) -> str:
    """What the stems of a prefix's words start with: the prefix, or its shorter stem."""
    stem = lexemes[0] if len(lexemes) == 1 else prefix
    return stem if prefix.startswith(stem) else prefix


def _quote(lexeme: str) -> str:
    """A lexeme as a tsquery operand (quoted, so that any character is literal)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _solid_words(text: str) -> str:
    """The text's hyphenated words written solid ("zero-shot" -> "zeroshot"), as tantivy
    indexes them: a paper writing "zeroshot" is found by "zero-shot" and the other way."""
    return " ".join(match.group().replace("-", "") for match in _COMPOUND.finditer(text))


def _solid_compound(word: str) -> str | None:
    core = _EDGES.sub("", word)
    return core.replace("-", "") if _COMPOUND.fullmatch(core) else None
