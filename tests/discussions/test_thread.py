"""What readers and admins see of a discussion (pure: comments in, threads out)."""

from __future__ import annotations

import datetime as dt

from papertide.discussions.models import Comment, CommentState
from papertide.discussions.thread import build_discussion
from tests.helpers import FIXED_NOW


def comment(comment_id: int, parent: int | None = None, user: int | None = 1,
            state: CommentState = "visible", suspended: bool = False) -> Comment:
    return Comment(comment_id, "2501.00001", parent, user, f"text {comment_id}",
                   f"<p>text {comment_id}</p>", state,
                   FIXED_NOW + dt.timedelta(minutes=comment_id), author_suspended=suspended)


def shape(comments: list[Comment], viewer: int | None = None, admin: bool = False
          ) -> list[tuple[int, str | None, list[int]]]:
    discussion = build_discussion("2501.00001", comments, viewer, admin, set())
    return [(thread.top.id, thread.top.placeholder, [reply.id for reply in thread.replies])
            for thread in discussion.threads]


def test_threads_keep_the_order_of_posting_with_replies_under_their_comment() -> None:
    comments = [comment(1), comment(2), comment(3, parent=1), comment(4, parent=2),
                comment(5, parent=1)]
    assert shape(comments) == [(1, None, [3, 5]), (2, None, [4])]


def test_a_removed_comment_stays_as_a_placeholder_only_while_it_has_shown_replies() -> None:
    comments = [comment(1, state="deleted", user=None), comment(2, parent=1),
                comment(3, state="hidden"), comment(4, parent=3),
                comment(5, state="deleted"), comment(6, state="hidden"),
                comment(7, state="deleted"), comment(8, parent=7, state="hidden")]
    assert shape(comments) == [(1, "[deleted]", [2]), (3, "[hidden by a moderator]", [4])]
    discussion = build_discussion("2501.00001", comments, None, False, set())
    assert discussion.count == 2
    assert discussion.threads[0].top.author == "[deleted account]"


def test_a_suspended_authors_comments_are_hidden_from_readers_but_shown_to_admins() -> None:
    comments = [comment(1, user=7, suspended=True), comment(2, user=8)]
    assert shape(comments) == [(2, None, [])]
    admin_view = build_discussion("2501.00001", comments, 9, True, set())
    assert [(t.top.id, t.top.moderated) for t in admin_view.threads] == [(1, True), (2, False)]
    assert admin_view.count == 1


def test_the_viewer_sees_which_comments_are_theirs_and_which_they_upvoted() -> None:
    discussion = build_discussion("2501.00001", [comment(1, user=5), comment(2, user=6)], 5,
                                  False, {2})
    first, second = (thread.top for thread in discussion.threads)
    assert (first.own, first.voted, second.own, second.voted) == (True, False, False, True)
    assert first.author == "reader #5"
