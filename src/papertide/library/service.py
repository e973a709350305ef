"""Upvotes and libraries: what signed-in people do to papers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import ConflictError, NotFoundError
from papertide.library.models import LibraryOrder, SavedPaper, TagCount
from papertide.library.tags import parse_tags
from papertide.models import Paper
from papertide.store.base import Store

EXPORT_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class VoteState:
    """A paper's upvotes after a change, and whether this person's is among them."""

    arxiv_id: str
    votes: int
    voted: bool


@dataclass(frozen=True, slots=True)
class PaperMarks:
    """What a list of papers shows beside each one: upvotes, and the viewer's own marks."""

    votes: dict[str, int]
    voted: frozenset[str]
    saved: dict[str, SavedPaper]

    def votes_of(self, arxiv_id: str) -> int:
        return self.votes.get(arxiv_id, 0)


@dataclass(frozen=True, slots=True)
class LibraryPage:
    papers: tuple[tuple[Paper, SavedPaper], ...]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.papers) < self.total


class Library:
    """Upvote, un-upvote, save, tag and list papers for one person at a time."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime],
                 on_vote: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.clock = clock
        self.on_vote = on_vote

    def _known(self, arxiv_id: str) -> str:
        key = parse_arxiv_id(arxiv_id).base
        if self.store.get_paper(key) is None:
            raise NotFoundError(f"paper {key} is not in this papertide")
        return key

    # -- votes --------------------------------------------------------------------------

    def upvote(self, user_id: int, arxiv_id: str) -> VoteState:
        """One upvote per person and paper: a second one is a ConflictError."""
        key = self._known(arxiv_id)
        if not self.store.add_vote(user_id, key, self.clock()):
            raise ConflictError(f"you have upvoted {key} already")
        return self._changed(user_id, key)

    def remove_upvote(self, user_id: int, arxiv_id: str) -> VoteState:
        key = self._known(arxiv_id)
        if not self.store.remove_vote(user_id, key):
            raise ConflictError(f"you have not upvoted {key}")
        return self._changed(user_id, key)

    def _changed(self, user_id: int, key: str) -> VoteState:
        if self.on_vote is not None:
            self.on_vote(key)
        votes = self.store.vote_counts([key]).get(key, 0)
        return VoteState(key, votes, key in self.store.voted_by(user_id, [key]))

    def marks(self, user_id: int | None, arxiv_ids: Sequence[str]) -> PaperMarks:
        """Upvote counts of the papers, plus the viewer's votes and saves (if signed in)."""
        ids = list(dict.fromkeys(arxiv_ids))
        votes = self.store.vote_counts(ids) if ids else {}
        if user_id is None or not ids:
            return PaperMarks(votes, frozenset(), {})
        return PaperMarks(votes, frozenset(self.store.voted_by(user_id, ids)),
                          self.store.saved_by(user_id, ids))

    # -- library ------------------------------------------------------------------------

    def save(self, user_id: int, arxiv_id: str, tags_text: str | None = None) -> SavedPaper:
        """Save a paper (or replace its tags if it is saved already)."""
        tags = parse_tags(tags_text)
        return self.store.save_paper(user_id, self._known(arxiv_id), tags, self.clock())

    def unsave(self, user_id: int, arxiv_id: str) -> None:
        key = parse_arxiv_id(arxiv_id).base
        if not self.store.unsave_paper(user_id, key):
            raise NotFoundError(f"paper {key} is not in your library")

    def page(self, user_id: int, tag: str | None, limit: int, offset: int,
             text: str | None = None, order: LibraryOrder = "saved") -> LibraryPage:
        saved, total = self.store.saved_papers(user_id, tag, limit, offset,
                                               (text or "").strip() or None, order)
        papers = self.store.get_papers([entry.arxiv_id for entry in saved])
        return LibraryPage(
            tuple((papers[entry.arxiv_id], entry) for entry in saved if entry.arxiv_id in papers),
            total, offset, limit,
        )

    def everything(self, user_id: int, tag: str | None = None) -> LibraryPage:
        """The whole library (or one tag of it), for an export."""
        return self.page(user_id, tag, EXPORT_LIMIT, 0)

    def tags(self, user_id: int) -> list[TagCount]:
        return self.store.library_tags(user_id)
