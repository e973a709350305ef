"""Matching library entries to stored papers and saving the matches.

An entry matches by arXiv id, then DOI, then normalised title (a keyword
search for the title's words, confirmed by comparing whole titles). Matches
are saved to the library tagged ``imported``; papers already saved keep their
tags. Nothing is written unless parsing succeeded, and the writes are one
transaction, so a failure leaves the library as it was.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidInputError
from papertide.recommend.library_files import LibraryEntry, ParsedLibrary
from papertide.search.base import KeywordIndex
from papertide.search.query import parse_query
from papertide.store.base import Store

IMPORT_TAG = "imported"
TITLE_CANDIDATES = 5
ADDED_SHOWN = 200  # papers an import report links by title
MAX_TITLE_WORDS = 12
PROGRESS_EVERY = 100
ImportProgress = Callable[[str, int, int], None]
"""Told ``(stage, done, total)`` as an import goes (a progress page shows it)."""


def _no_progress(stage: str, done: int, total: int) -> None:
    del stage, done, total


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: the reader sees every unmatched entry by name."""

    format: str
    entries: int
    added: tuple[str, ...]
    already_saved: int
    unmatched: tuple[LibraryEntry, ...]
    broken: int = 0
    warnings: tuple[str, ...] = field(default=())
    # (arxiv id, title) of the first papers added, for the report's links
    added_titles: tuple[tuple[str, str], ...] = field(default=())

    @property
    def matched(self) -> int:
        return len(self.added) + self.already_saved

    def summary(self) -> str:
        parts = [f"{self.entries:,} references read ({self.format})",
                 f"{len(self.added):,} added to your library",
                 f"{self.already_saved:,} already there",
                 f"{len(self.unmatched):,} not found in this papertide"]
        if self.broken:
            parts.append(f"{self.broken:,} could not be read")
        return ", ".join(parts)


def normalise_title(title: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded.lower()).split())


def _arxiv_key(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return parse_arxiv_id(text).base
    except InvalidInputError:
        return None


class LibraryImporter:
    def __init__(self, store: Store, keyword_index: KeywordIndex) -> None:
        self.store = store
        self.keyword_index = keyword_index

    def match(self, entries: tuple[LibraryEntry, ...],
              progress: ImportProgress = _no_progress) -> list[str | None]:
        """The stored arXiv id of each entry, or None."""
        by_arxiv = {entry.arxiv_id: _arxiv_key(entry.arxiv_id) for entry in entries}
        known = self.store.get_papers([key for key in by_arxiv.values() if key])
        dois = self.store.papers_by_doi([entry.doi for entry in entries if entry.doi])
        matches: list[str | None] = []
        for done, entry in enumerate(entries):
            if done % PROGRESS_EVERY == 0:
                progress("matching", done, len(entries))
            key = by_arxiv.get(entry.arxiv_id)
            if key and key in known:
                matches.append(key)
            elif entry.doi and entry.doi.lower() in dois:
                matches.append(dois[entry.doi.lower()])
            elif entry.title:
                matches.append(self._by_title(entry.title))
            else:
                matches.append(None)
        return matches

    def _by_title(self, title: str) -> str | None:
        wanted = normalise_title(title)
        words = wanted.split()[:MAX_TITLE_WORDS]
        if len(words) < 2:
            return None
        try:
            hits = self.keyword_index.search(parse_query(" ".join(words)), TITLE_CANDIDATES)
        except InvalidInputError:
            return None
        papers = self.store.get_papers([hit.arxiv_id for hit in hits.hits])
        for hit in hits.hits:
            paper = papers.get(hit.arxiv_id)
            if paper is not None and normalise_title(paper.title) == wanted:
                return paper.arxiv_id
        return None

    def save(self, user_id: int, parsed: ParsedLibrary, now: dt.datetime,
             progress: ImportProgress = _no_progress) -> ImportReport:
        matches = self.match(parsed.entries, progress)
        progress("saving", len(parsed.entries), len(parsed.entries))
        found = list(dict.fromkeys(key for key in matches if key))
        saved = self.store.saved_by(user_id, found)
        added = [key for key in found if key not in saved]
        with self.store.transaction():
            for key in added:
                self.store.save_paper(user_id, key, [IMPORT_TAG], now)
        unmatched = tuple(entry for entry, key in zip(parsed.entries, matches, strict=True)
                          if key is None)
        shown = self.store.get_papers(added[:ADDED_SHOWN])
        titles = tuple((key, shown[key].title) for key in added[:ADDED_SHOWN] if key in shown)
        return ImportReport(parsed.format, len(parsed.entries), tuple(added),
                            len(found) - len(added), unmatched, parsed.broken, parsed.warnings,
                            titles)
