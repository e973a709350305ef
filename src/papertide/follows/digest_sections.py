"""What the follows give a digest: new papers by followed authors, updates to saved papers.

Subscribers come paired with readers by email address (``digest.gather.readers_of``,
looked up once for this and the personal picks).
Updates already mailed to a subscriber are left out, so each (reader, event)
is mailed once: the outbox records the events of a message in the same
transaction as the message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from papertide.follows.matching import AuthorIndex
from papertide.follows.models import FollowedPaper, PaperEvent
from papertide.models import Paper
from papertide.store.base import Store

UPDATES_READ = 50


class FollowSections:
    def __init__(self, store: Store) -> None:
        self.store = store

    def sections(self, readers: Mapping[int, int], new_papers: Sequence[Paper]
                 ) -> tuple[dict[int, list[FollowedPaper]], dict[int, list[PaperEvent]]]:
        """Per subscriber id (``readers`` maps it to the reader's user id): papers by
        followed authors among ``new_papers``, and updates to their saved papers not
        mailed to them yet."""
        follows = self.store.author_follows(list(set(readers.values())))
        index = AuthorIndex(new_papers) if follows else None
        followed: dict[int, list[FollowedPaper]] = {}
        updates: dict[int, list[PaperEvent]] = {}
        for subscriber_id, user_id in readers.items():
            if index is not None and follows.get(user_id):
                found = index.followed_papers(follows[user_id])
                if found:
                    followed[subscriber_id] = found
            events = self.store.watched_events(user_id, UPDATES_READ)
            if events:
                mailed = self.store.mailed_events(subscriber_id, [event.id for event in events])
                fresh = [event for event in events if event.id not in mailed]
                if fresh:
                    updates[subscriber_id] = fresh
        return followed, updates

