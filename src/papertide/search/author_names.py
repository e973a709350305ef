"""Author names as search matches them, and what an author's page sums up.

Names are compared folded: accents off (as tantivy's ascii folding and the
PostgreSQL search table do), case and spacing ignored, so "Balázs  KÉGL" is
"Balazs Kegl". Pure: papers and counts in, a profile out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from papertide.models import Paper

CO_AUTHORS_SHOWN = 12
_SPACES = re.compile(r"[\s.\-]+")


def fold_accents(text: str) -> str:
    """Accents off: "Balázs" is found by "balazs"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(name: str) -> str:
    """What two spellings of one name share: folded, lower case, one space between parts."""
    return _SPACES.sub(" ", fold_accents(name).casefold()).strip()


@dataclass(frozen=True, slots=True)
class AuthorProfile:
    """An author's papers here, newest first and most upvoted first, and who they write with."""

    name: str
    newest: tuple[Paper, ...]
    most_upvoted: tuple[Paper, ...]
    co_authors: tuple[tuple[str, int], ...]
    total_upvotes: int
    votes: Mapping[str, int]
    complete: bool

    @property
    def paper_count(self) -> int:
        return len(self.newest)


def names_like(asked: str, papers: Sequence[Paper], limit: int = 20) -> tuple[str, ...]:
    """Full names containing every word of ``asked`` ("kegl" -> "Balázs Kégl"), most
    frequent first: where a search's ``author:`` filter of one word leads."""
    words = name_key(asked).split()
    spellings: dict[str, Counter[str]] = {}
    for paper in papers:
        for author in dict.fromkeys(paper.authors):
            key = name_key(author)
            if all(word in key.split() for word in words):
                spellings.setdefault(key, Counter())[author] += 1
    ranked = sorted(spellings.items(), key=lambda item: (-item[1].total(), item[0]))
    return tuple(best_spelling(used) for _, used in ranked[:limit])


def best_spelling(used: Counter[str]) -> str:
    """The most used spelling of a name; on a tie the one with accents, which says more."""
    return max(used, key=lambda spelling: (used[spelling], not spelling.isascii()))


def author_profile(asked: str, papers: Sequence[Paper], votes: Mapping[str, int],
                   complete: bool = True) -> AuthorProfile | None:
    """The profile of the author named ``asked`` among ``papers`` (search matches, newest
    first); ``None`` when none of them lists that name. A search for "Jane Doe" also
    finds "Jane Doe-Smith": only papers listing the very name (folded) count."""
    key = name_key(asked)
    theirs = [paper for paper in papers
              if any(name_key(author) == key for author in paper.authors)]
    if not theirs:
        return None
    spellings = Counter(author for paper in theirs for author in paper.authors
                        if name_key(author) == key)
    co_authors: Counter[str] = Counter()
    shown_as: dict[str, str] = {}
    for paper in theirs:
        for author in dict.fromkeys(paper.authors):
            other = name_key(author)
            if other != key:
                shown_as.setdefault(other, author)
                co_authors[other] += 1
    ranked = sorted(co_authors.items(), key=lambda item: (-item[1], item[0]))
    most_upvoted = sorted(theirs, key=lambda paper: -votes.get(paper.arxiv_id, 0))
    return AuthorProfile(
        name=best_spelling(spellings),
        newest=tuple(theirs),
        most_upvoted=tuple(paper for paper in most_upvoted if votes.get(paper.arxiv_id, 0)),
        co_authors=tuple((shown_as[other], count) for other, count in ranked[:CO_AUTHORS_SHOWN]),
        total_upvotes=sum(votes.get(paper.arxiv_id, 0) for paper in theirs),
        votes=votes,
        complete=complete,
    )
