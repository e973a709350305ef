"""SQLite FTS5 as the keyword engine, for comparison with tantivy on the same data.

The bench builds an external-content FTS5 table over a copy of papertide's
database (title weighted 2.0 against abstract 1.0 in ``bm25``), runs the
same parsed queries against it and fetches the papers through the store,
so both engines are measured from query text to Paper objects.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from benchlib import Stopwatch, checkpointed_size
from papertide.models import Paper
from papertide.search.query import ParsedQuery, parse_query
from papertide.store.sqlite import SQLiteStore
from papertide.store.sqlite.connection import connect
from queries import Stopwords

_CREATE = (
    "CREATE VIRTUAL TABLE papers_fts USING fts5("
    "title, abstract, content='papers', content_rowid='rowid', "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
_RANKED = (
    "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
    "ORDER BY bm25(papers_fts, 2.0, 1.0) LIMIT ?"
)
_RANKED_IN_CATEGORY = (
    "SELECT papers_fts.rowid FROM papers_fts JOIN papers ON papers.rowid = papers_fts.rowid "
    "WHERE papers_fts MATCH ? AND papers.categories LIKE ? "
    "ORDER BY bm25(papers_fts, 2.0, 1.0) LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class FtsBuild:
    seconds: float
    optimize_seconds: float
    database_before: int
    database_after: int

    @property
    def index_bytes(self) -> int:
        return self.database_after - self.database_before


def build_fts_copy(source: Path, target: Path) -> FtsBuild:
    """Copy the database to ``target`` and index titles and abstracts with FTS5."""
    before, _ = checkpointed_size(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    connection = connect(target)
    try:
        with Stopwatch() as build:
            connection.execute("BEGIN")
            connection.execute(_CREATE)
            connection.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
            connection.execute("COMMIT")
        with Stopwatch() as optimize:
            connection.execute("INSERT INTO papers_fts (papers_fts) VALUES ('optimize')")
    finally:
        connection.close()
    after, wal = checkpointed_size(target)
    return FtsBuild(build.seconds, optimize.seconds, before, after + wal)


def fts_match(query: ParsedQuery, stopwords: Stopwords) -> str:
    """The FTS5 MATCH expression closest to what the tantivy index runs.

    Plain words are alternatives (OR, stopwords dropped as tantivy does);
    required words and phrases are ANDed. FTS5 has no optional terms beside
    required ones, so when both occur the words must match too: a slightly
    narrower query than tantivy's, never a broader one.
    """
    optional = [word for word in query.words if word not in stopwords] or list(query.words)
    required = [*query.required_words, *query.phrases]
    parts = []
    if required:
        parts.append(" AND ".join(_quoted(text) for text in required))
    if optional:
        parts.append("(" + " OR ".join(_quoted(word) for word in optional) + ")")
    return " AND ".join(parts)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Fts5Search:
    """Runs queries on the FTS5 copy and returns the papers, best first."""

    def __init__(self, database: Path, stopwords: Stopwords) -> None:
        self.store = SQLiteStore(database)
        self.connection = connect(database)
        self.stopwords = stopwords

    def close(self) -> None:
        self.connection.close()
        self.store.close()

    def search(self, text: str, limit: int) -> list[Paper]:
        query = parse_query(text)
        match = fts_match(query, self.stopwords)
        if query.categories:
            (category,) = query.categories
            rows = self.connection.execute(
                _RANKED_IN_CATEGORY, (match, f'%"{category}"%', limit)
            ).fetchall()
        else:
            rows = self.connection.execute(_RANKED, (match, limit)).fetchall()
        rowids = [row[0] for row in rows]
        if not rowids:
            return []
        placeholders = ", ".join("?" for _ in rowids)
        ids = dict(self.connection.execute(
            f"SELECT rowid, arxiv_id FROM papers WHERE rowid IN ({placeholders})", rowids
        ).fetchall())
        ordered = [ids[rowid] for rowid in rowids]
        found = self.store.get_papers(ordered)
        return [found[arxiv_id] for arxiv_id in ordered if arxiv_id in found]
