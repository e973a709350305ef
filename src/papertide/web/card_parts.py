"""The parts of a paper card that every visitor sees alike, rendered once and kept.

A listing or search page shows 30 cards; rendering them is most of the page's
cost (escaping titles, author links, abstracts, signal lines). Only the upvote
and save controls differ between visitors, so the rest (the title and byline
with the paper's signals, and the abstract) is rendered once per version of the
paper and of its signals and kept, per process. Keys hold everything a part
shows (the paper's change number, the signals themselves), so a changed paper
or a new comment count renders afresh and nothing stale is served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from papertide.models import Paper
from papertide.web.cards import CardSignals

MAX_PARTS = 8_192


class CardParts:
    def __init__(self, environment: Environment, max_entries: int = MAX_PARTS) -> None:
        self.environment = environment
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def head(self, paper: Paper, heading_level: int, signals: CardSignals | None) -> Markup:
        """The title, authors, category, date and (on cards with signals) the signal line."""
        return self._kept(("head", *_version(paper), heading_level, signals), paper,
                          lambda macros: macros.card_head(paper, heading_level, signals))

    def abstract(self, paper: Paper) -> Markup:
        """The folded abstract with its one-line preview."""
        return self._kept(("abstract", *_version(paper)), paper,
                          lambda macros: macros.card_abstract(paper))

    def _kept(self, key: Hashable, paper: Paper, render: Callable[[Any], str]) -> Markup:
        if not paper.change_seq:  # not read from the store: no version to key on
            return self._render(render)
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
                return kept
        part = self._render(render)  # outside the lock: two threads may render it, harmlessly
        with self._lock:
            self._entries[key] = part
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return part

    def _render(self, render: Callable[[Any], str]) -> Markup:
        return Markup(render(self.environment.get_template("macros.html").module))


def _version(paper: Paper) -> tuple[str, int, object]:
    return (paper.arxiv_id, paper.change_seq, paper.last_changed_at)
