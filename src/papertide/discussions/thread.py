"""What a reader sees of a paper's discussion: pure, comments in, threads out.

Rules:

- top-level comments come oldest first, each with its replies oldest first;
- a comment readers may not see (hidden by a moderator, by a suspended
  author, or deleted) is left out, unless replies that can be seen hang
  under it: then it stays as a placeholder ("[deleted]", "[hidden by a
  moderator]") so the replies keep their context;
- admins see hidden comments with their text, marked as hidden; deleted text
  is gone for everyone;
- authors are named by their reader number (accounts have no public name and
  addresses are never shown); a deleted account's comments say so.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from papertide.discussions.models import Comment

DELETED = "[deleted]"
HIDDEN = "[hidden by a moderator]"


@dataclass(frozen=True, slots=True)
class ShownComment:
    """One comment as a page shows it; ``placeholder`` replaces the text when set."""

    comment: Comment
    author: str
    placeholder: str | None = None
    moderated: bool = False
    voted: bool = False
    own: bool = False

    @property
    def id(self) -> int:
        return self.comment.id


@dataclass(frozen=True, slots=True)
class Thread:
    top: ShownComment
    replies: tuple[ShownComment, ...]


@dataclass(frozen=True, slots=True)
class Discussion:
    """A paper's threads and the number of comments readers see."""

    arxiv_id: str
    threads: tuple[Thread, ...]
    count: int

    @property
    def comments(self) -> tuple[ShownComment, ...]:
        """Every comment in page order (for feeds and the API)."""
        return tuple(shown for thread in self.threads for shown in (thread.top, *thread.replies))


def author_label(user_id: int | None) -> str:
    return "[deleted account]" if user_id is None else f"reader #{user_id}"


def build_discussion(arxiv_id: str, comments: Sequence[Comment], viewer_id: int | None,
                     is_admin: bool, voted: Collection[int]) -> Discussion:
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)

    def readable(comment: Comment) -> bool:
        return comment.shown or (is_admin and comment.state != "deleted")

    def shown(comment: Comment, placeholder: str | None = None) -> ShownComment:
        return ShownComment(comment, author_label(comment.user_id), placeholder,
                            moderated=not comment.shown and placeholder is None,
                            voted=comment.id in voted,
                            own=viewer_id is not None and comment.user_id == viewer_id)

    threads: list[Thread] = []
    for comment in comments:
        if comment.parent_id is not None:
            continue
        answers = tuple(shown(reply) for reply in replies.get(comment.id, ())
                        if readable(reply))
        if readable(comment):
            threads.append(Thread(shown(comment), answers))
        elif answers:
            placeholder = DELETED if comment.state == "deleted" else HIDDEN
            threads.append(Thread(shown(comment, placeholder), answers))
    count = sum(1 for comment in comments if comment.shown)
    return Discussion(arxiv_id, tuple(threads), count)
