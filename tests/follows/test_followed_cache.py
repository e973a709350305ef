"""New papers by followed authors are looked up once per change of the keyword index, not on
every view of "For you", and a newly indexed paper shows on the next view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from papertide.app import Papertide
from papertide.follows.service import Follows
from papertide.search.base import IndexState, KeywordIndex, SearchHits, SortOrder
from papertide.search.query import ParsedQuery
from tests.helpers import FIXED_NOW, make_record

DAY = dt.date(2025, 1, 6)


class CountingIndex:
    """The service's own keyword index, counting the searches asked of it."""

    def __init__(self, index: KeywordIndex) -> None:
        self.index = index
        self.searches = 0

    def search(self, query: ParsedQuery, limit: int, offset: int = 0,
               sort: SortOrder = "relevance") -> SearchHits:
        self.searches += 1
        return self.index.search(query, limit, offset, sort)

    def state(self) -> IndexState | None:
        return self.index.state()

    def word_counts(self, words: Sequence[str], at_most: int) -> dict[str, int]:
        return self.index.word_counts(words, at_most)


def add_papers(app: Papertide, *papers: tuple[str, tuple[str, ...]]) -> None:
    app.store.upsert_papers([make_record(arxiv_id, authors=authors, announced=DAY)
                             for arxiv_id, authors in papers], FIXED_NOW)
    app.sync_search_index()


def test_repeated_views_reuse_the_lookup_until_new_papers_are_indexed(app: Papertide) -> None:
    add_papers(app, ("2501.00001", ("Ada Lovelace", "Charles Babbage")),
               ("2501.00002", ("Alan Turing",)), ("2501.00003", ("Grace Hopper",)))
    reader = app.store.add_user("reader@example.org", False, FIXED_NOW).id
    counting = CountingIndex(app.keyword_index)
    follows = Follows(app.store, counting, app.clock)  # type: ignore[arg-type]
    follows.follow(reader, "Ada Lovelace")
    follows.follow(reader, "Alan Turing")

    def shown() -> list[str]:
        return sorted(item.paper.arxiv_id for item in follows.followed_between(reader, DAY, DAY))

    assert shown() == ["2501.00001", "2501.00002"]
    asked = counting.searches
    assert shown() == ["2501.00001", "2501.00002"]
    assert shown() == ["2501.00001", "2501.00002"]
    assert counting.searches == asked  # the later views asked the index nothing

    add_papers(app, ("2501.00004", ("Ada Lovelace",)))
    assert shown() == ["2501.00001", "2501.00002", "2501.00004"]
    follows.follow(reader, "Grace Hopper")  # a new follow shows at once, index unchanged
    assert shown() == ["2501.00001", "2501.00002", "2501.00003", "2501.00004"]
    follows.unfollow(reader, "Alan Turing")
    assert shown() == ["2501.00001", "2501.00003", "2501.00004"]
