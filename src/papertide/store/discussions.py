"""Storage of comments on papers, their upvotes and reports, and commenters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Protocol

from papertide.discussions.models import (
    Comment,
    Commenter,
    CommentReport,
    CommentState,
    NewComment,
)


class DiscussionStore(Protocol):
    """Comments with one level of replies; every engine implements it."""

    def add_comment(self, comment: NewComment, now: dt.datetime) -> tuple[Comment, bool]:
        """Store a comment; ``(comment, True)``, or the author's earlier comment with the
        same ``post_key`` and ``False`` (a form sent twice lands once).

        NotFoundError if the paper, the author or the parent is not stored.
        """
        ...

    def get_comment(self, comment_id: int) -> Comment | None: ...

    def comment_by_post_key(self, user_id: int, post_key: str) -> Comment | None:
        """The comment an author stored with this ``post_key`` (a retried form), if any."""
        ...

    def comments_for(self, arxiv_id: str) -> list[Comment]:
        """Every comment on a paper in any state, oldest first (threads are built above)."""
        ...

    def comment_counts(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        """Comments readers see, per paper, for the papers that have any."""
        ...

    def edit_comment(self, comment_id: int, body: str, body_html: str,
                     now: dt.datetime) -> bool:
        """Replace a visible comment's text and mark it edited; False if not visible."""
        ...

    def set_comment_state(self, comment_id: int, state: CommentState) -> bool:
        """Show, hide or delete a comment (deleting erases its text for good)."""
        ...

    def vote_comment(self, comment_id: int, user_id: int, now: dt.datetime) -> bool:
        """An upvote, one per person and comment; False if it exists already."""
        ...

    def unvote_comment(self, comment_id: int, user_id: int) -> bool: ...

    def comments_voted_by(self, user_id: int, comment_ids: Sequence[int]) -> set[int]: ...

    def report_comment(self, comment_id: int, user_id: int, reason: str,
                       now: dt.datetime) -> bool:
        """A report, one per person and comment; False if they reported it already."""
        ...

    def resolve_reports(self, comment_id: int, now: dt.datetime) -> int:
        """Close the open reports of a comment (an admin acted on it); returns how many."""
        ...

    def open_reports(self, limit: int) -> list[CommentReport]:
        """Unresolved reports, newest first."""
        ...

    def newest_comments(self, limit: int, offset: int = 0) -> list[Comment]:
        """Comments in any state, newest first (the moderation page)."""
        ...

    def commenter(self, user_id: int) -> Commenter:
        """A person's discussion state (the default for one never recorded)."""
        ...

    def set_commenter_suspended(self, user_id: int, suspended_at: dt.datetime | None) -> None:
        ...

    def set_discussion_mail(self, user_id: int, wanted: bool) -> None: ...

    def thread_authors(self, parent_id: int) -> list[int]:
        """Authors of a top-level comment and of its replies, first to speak first."""
        ...

    def comment_times_since(self, since: dt.datetime) -> Iterator[tuple[str, float]]:
        """``(arxiv_id, unix seconds)`` of every shown comment posted after ``since``."""
        ...

    def comment_times_for(self, arxiv_ids: Sequence[str]) -> dict[str, list[float]]:
        """Every shown comment's time (unix seconds) of the given papers."""
        ...

    def most_discussed(self, since: dt.datetime, until: dt.datetime,
                       limit: int) -> list[tuple[str, int]]:
        """Papers with the most shown comments posted in ``(since, until]``, most first."""
        ...
