"""Records of comments, reports and commenters, as the store keeps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

CommentState = Literal["visible", "hidden", "deleted"]
COMMENT_STATES: tuple[CommentState, ...] = ("visible", "hidden", "deleted")


@dataclass(frozen=True, slots=True)
class NewComment:
    """A comment to store; ``post_key`` makes a resubmitted form land once."""

    arxiv_id: str
    user_id: int
    body: str
    body_html: str
    parent_id: int | None = None
    post_key: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """One stored comment.

    ``user_id`` is ``None`` once its author's account is gone; ``state`` says
    whether readers see it (``hidden`` by a moderator, ``deleted`` with its
    text erased); ``author_suspended`` hides it too, while the suspension lasts.
    """

    id: int
    arxiv_id: str
    parent_id: int | None
    user_id: int | None
    body: str
    body_html: str
    state: CommentState
    created_at: dt.datetime
    edited_at: dt.datetime | None = None
    votes: int = 0
    author_suspended: bool = False

    @property
    def shown(self) -> bool:
        """Whether readers see its text (admins see hidden ones, marked)."""
        return self.state == "visible" and not self.author_suspended


@dataclass(frozen=True, slots=True)
class CommentReport:
    """A reader's report of a comment, open until an admin acts on the comment."""

    comment_id: int
    user_id: int
    reason: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Commenter:
    """What the discussions know of a person beyond their account."""

    user_id: int
    suspended_at: dt.datetime | None = None
    discussion_mail: bool = True

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None
