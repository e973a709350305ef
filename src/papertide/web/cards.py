"""What paper cards show beside each paper: upvotes, comments, outside signals and the viewer's own
marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import Request

from papertide.app import Papertide
from papertide.library.models import SavedPaper
from papertide.library.service import PaperMarks
from papertide.models import Paper
from papertide.ranking.paper_signals import NO_SIGNALS, PaperSignals
from papertide.store.signal_summary import SignalSummary
from papertide.web.presenters import with_query
from papertide.web.session import csrf_token_for, current_viewer


@dataclass(frozen=True, slots=True)
class CardSignals:
    """What a card's signal line shows of one paper: the same for every visitor."""

    known: PaperSignals = NO_SIGNALS
    discussed: int | None = None  # comments in the discussion here
    summary: SignalSummary | None = None


@dataclass(frozen=True, slots=True)
class Cards:
    """Upvote counts, signals and the forms' needs (CSRF token, where to come back to)."""

    marks: PaperMarks
    signed_in: bool
    csrf_token: str
    here: str
    ranks: dict[str, int] = field(default_factory=dict)
    outside: dict[str, PaperSignals] = field(default_factory=dict)
    # Comments of papertide's own discussions, per paper (the card shows them before the
    # outside signals).
    discussions: dict[str, int] = field(default_factory=dict)
    # What is known of each paper's popularity elsewhere, summed up (the HF front page).
    summaries: dict[str, SignalSummary] = field(default_factory=dict)
    signin_url: str = "/signin"  # where an anonymous upvote leads (back here afterwards)

    def votes(self, arxiv_id: str) -> int:
        return self.marks.votes_of(arxiv_id)

    def comments(self, arxiv_id: str) -> int:
        return self.discussions.get(arxiv_id, 0)

    def voted(self, arxiv_id: str) -> bool:
        return arxiv_id in self.marks.voted

    def saved(self, arxiv_id: str) -> SavedPaper | None:
        return self.marks.saved.get(arxiv_id)

    def signals(self, arxiv_id: str) -> PaperSignals:
        return self.outside.get(arxiv_id, NO_SIGNALS)

    def discussion_count(self, arxiv_id: str) -> int | None:
        return self.discussions.get(arxiv_id)

    def signal_line(self, arxiv_id: str) -> CardSignals:
        return CardSignals(self.signals(arxiv_id), self.discussion_count(arxiv_id),
                           self.summaries.get(arxiv_id))


def cards_for(request: Request, service: Papertide, papers: Sequence[Paper],
              ranks: dict[str, int] | None = None) -> Cards:
    viewer = current_viewer(request)
    ids = [paper.arxiv_id for paper in papers]
    marks = service.community.library.marks(viewer.user.id if viewer else None, ids)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Cards(marks, viewer is not None,
                 csrf_token_for(request, service) if viewer else "", here, ranks or {},
                 service.paper_signals(ids), service.discussions.counts(ids),
                 service.signals(ids), with_query("/signin", [("next", here)]))
