"""Follows and watches of one service: following authors, updates to saved papers, feeds.

Built by ``Papertide.follows`` from the store, the keyword index (to find an
author's papers) and the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Sequence

from papertide.exceptions import InvalidInputError
from papertide.follows.identities import AuthorIdentity, identities
from papertide.follows.matching import AuthorIndex
from papertide.follows.models import AuthorFollow, FollowedPaper, WatchedUpdate
from papertide.follows.names import author_key, surname
from papertide.search.base import KeywordIndex
from papertide.search.query import parse_query
from papertide.search.result_cache import ResultCache
from papertide.store.base import Store

MAX_NAME_CHARS = 200
MAX_FOLLOWS = 500
# Papers read to tell same-named people apart, and to find a name's new papers.
AUTHOR_PAPERS_READ = 500
FEED_DAYS = 60
# Readers' followed papers kept per follow list and days, until the keyword index changes.
FOLLOWED_CACHED = 2_048


class Follows:
    """Who a reader follows, what is new from them, and what changed in their saved papers."""

    def __init__(self, store: Store, keyword_index: KeywordIndex,
                 clock: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.keyword_index = keyword_index
        self.clock = clock
        self._followed: ResultCache[tuple[FollowedPaper, ...]] = ResultCache(FOLLOWED_CACHED)

    # -- following ----------------------------------------------------------------------

    def follow(self, user_id: int, name: str, coauthors: Sequence[str] = ()) -> AuthorFollow:
        """Follow the author ``name``; ``coauthors`` pick one of several same-named people.

        Without ``coauthors`` and with one person of that name here, that person's
        co-authors are recorded, so initialled forms of the name ("J. Doe") count too.
        """
        display = " ".join(name.split())
        key = author_key(display)
        if not key or len(display) > MAX_NAME_CHARS:
            raise InvalidInputError(f"give an author's name (1 to {MAX_NAME_CHARS} characters)")
        known = {follow.author_key for follow in self.of(user_id)}
        if key not in known and len(known) >= MAX_FOLLOWS:
            raise InvalidInputError(f"you follow {MAX_FOLLOWS} authors, the most there can be; "
                                    "unfollow some first")
        people = self.identities(display)
        chosen = tuple(dict.fromkeys(author_key(c) for c in coauthors if author_key(c)))
        ambiguous = len(people) > 1
        if not chosen and len(people) == 1:
            chosen = people[0].coauthor_keys
        if people:
            display = people[0].name if not chosen else next(
                (person.name for person in people if set(chosen) & set(person.coauthor_keys)),
                people[0].name)
        follow = AuthorFollow(key, display, chosen, ambiguous and bool(chosen), self.clock())
        self.store.follow_author(user_id, follow)
        return follow

    def unfollow(self, user_id: int, name: str) -> bool:
        return self.store.unfollow_author(user_id, author_key(name))

    def of(self, user_id: int) -> list[AuthorFollow]:
        return self.store.author_follows([user_id]).get(user_id, [])

    def identities(self, name: str) -> list[AuthorIdentity]:
        """The people here who carry ``name``, told apart by their co-authors."""
        key = author_key(name)
        if not key:
            return []
        hits = self.keyword_index.search(parse_query("").with_filters(authors=(name,)),
                                         AUTHOR_PAPERS_READ, 0, "date")
        papers = self.store.get_papers([hit.arxiv_id for hit in hits.hits])
        return identities(name, [papers[hit.arxiv_id] for hit in hits.hits
                                 if hit.arxiv_id in papers])

    def followed_between(self, user_id: int, first_day: dt.date, last_day: dt.date
                         ) -> list[FollowedPaper]:
        """Papers announced ``first_day``..``last_day`` by authors the reader follows.

        Finding them costs one keyword query per followed surname, and "For you" asks on
        every view: the answer is kept per follow list and days until the keyword index
        changes (new or changed papers), so a repeated view costs one read of the follows.
        """
        follows = tuple(self.of(user_id))
        if not follows:
            return []
        found = self._followed.get_or_compute(
            self.keyword_index.state(), (follows, first_day, last_day),
            lambda: self._find_followed(follows, first_day, last_day))
        return list(found)

    def _find_followed(self, follows: Sequence[AuthorFollow], first_day: dt.date,
                       last_day: dt.date) -> tuple[FollowedPaper, ...]:
        wanted: list[str] = []
        for name in dict.fromkeys(surname(follow.author_key) for follow in follows):
            query = parse_query("").with_filters(authors=(name,), date_from=first_day,
                                                 date_to=last_day)
            hits = self.keyword_index.search(query, AUTHOR_PAPERS_READ, 0, "date")
            wanted.extend(hit.arxiv_id for hit in hits.hits)
        papers = self.store.get_papers(list(dict.fromkeys(wanted)))
        return tuple(AuthorIndex(papers.values()).followed_papers(follows))

    # -- watching -----------------------------------------------------------------------

    def set_watching(self, user_id: int, arxiv_id: str, watching: bool) -> None:
        self.store.set_watching(user_id, arxiv_id, watching)

    def unwatched(self, user_id: int, arxiv_ids: Sequence[str]) -> set[str]:
        return self.store.unwatched_among(user_id, arxiv_ids)

    def updates(self, user_id: int, limit: int = 20) -> list[WatchedUpdate]:
        """News about the reader's saved papers, newest first."""
        events = self.store.watched_events(user_id, limit)
        papers = self.store.get_papers(list(dict.fromkeys(event.arxiv_id for event in events)))
        return [WatchedUpdate(event, papers[event.arxiv_id]) for event in events
                if event.arxiv_id in papers]

    # -- the private feed ---------------------------------------------------------------

    def new_feed_token(self, user_id: int) -> str:
        """A new secret for the reader's feed address; the old address stops working."""
        token = secrets.token_urlsafe(24)
        self.store.set_feed_token(user_id, _hashed(token), self.clock())
        return token

    def revoke_feed(self, user_id: int) -> None:
        self.store.set_feed_token(user_id, None, self.clock())

    def has_feed(self, user_id: int) -> bool:
        return self.store.has_feed_token(user_id)

    def feed_reader(self, token: str) -> int | None:
        """The reader a feed address belongs to, None for an unknown or revoked one."""
        if not token or len(token) > 100:
            return None
        return self.store.user_by_feed_token(_hashed(token))

    def feed(self, user_id: int) -> tuple[list[FollowedPaper], list[WatchedUpdate]]:
        """What the private feed lists: recent papers by followed authors, and updates."""
        latest = self.store.latest_announced_date() or self.clock().date()
        followed = self.followed_between(user_id, latest - dt.timedelta(days=FEED_DAYS), latest)
        return followed[:50], self.updates(user_id, 50)


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
