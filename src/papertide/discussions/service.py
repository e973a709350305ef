"""Discussions: what readers and admins do with comments on papers.

Every rule lives here, so the pages, the JSON API and the CLI behave alike:
who may post (signed in, not suspended, within the hourly limit), what a
comment may hold (non-empty, at most ``comment_max_chars`` characters, a
safe subset of Markdown), who may change it (its author edits and deletes;
admins hide, show, delete and suspend), and who is mailed about a reply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from papertide.accounts.models import User
from papertide.accounts.rate_limits import enforce_hourly
from papertide.arxiv_ids import parse_arxiv_id
from papertide.discussions.mail import ReplyMailer
from papertide.discussions.markdown import CommentRenderer
from papertide.discussions.models import Comment, CommentReport, CommentState, NewComment
from papertide.discussions.thread import Discussion, build_discussion
from papertide.exceptions import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TooLargeError,
)
from papertide.models import Paper
from papertide.store.base import Store

MAX_POST_KEY = 64
MAX_REASON = 500
MODERATION_ACTIONS = ("hide", "show", "delete", "dismiss")


@dataclass(frozen=True, slots=True)
class Posted:
    """A stored comment; ``created`` is False when the same form had landed already."""

    comment: Comment
    created: bool
    mail_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CommentVotes:
    comment_id: int
    votes: int
    voted: bool


@dataclass(frozen=True, slots=True)
class ModerationView:
    """The admin page: newest comments, open reports, and who wrote them."""

    comments: tuple[Comment, ...]
    reports: tuple[CommentReport, ...]
    reported: dict[int, Comment]
    emails: dict[int, str]
    suspended: frozenset[int]


class Discussions:
    """Comments on papers over one store; ``on_change`` hears of a paper's new comment."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime], limit_per_hour: int,
                 max_chars: int, mailer: ReplyMailer,
                 on_change: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.clock = clock
        self.limit_per_hour = limit_per_hour
        self.max_chars = max_chars
        self.mailer = mailer
        self.on_change = on_change
        self.renderer = CommentRenderer()

    # -- reading ------------------------------------------------------------------------

    def discussion(self, arxiv_id: str, viewer: User | None = None) -> Discussion:
        """A paper's threads as ``viewer`` may see them (NotFoundError for an unknown paper)."""
        key = self._paper(arxiv_id).arxiv_id
        comments = self.store.comments_for(key)
        voted = (self.store.comments_voted_by(viewer.id, [c.id for c in comments])
                 if viewer is not None and comments else set())
        return build_discussion(key, comments, viewer.id if viewer else None,
                                bool(viewer and viewer.is_admin), voted)

    def counts(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        """Comments readers see, per paper (papers without any are left out)."""
        return self.store.comment_counts(arxiv_ids) if arxiv_ids else {}

    def comment(self, comment_id: int) -> Comment:
        found = self.store.get_comment(comment_id)
        if found is None:
            raise NotFoundError(f"comment {comment_id} is not in this papertide")
        return found

    # -- posting ------------------------------------------------------------------------

    def post(self, author: User, arxiv_id: str, body: str, parent_id: int | None = None,
             post_key: str | None = None) -> Posted:
        """Store a comment (or a reply) and queue mail to the people in its thread."""
        paper = self._paper(arxiv_id)
        self._may_write(author)
        text = self._checked_body(body)
        key = (post_key or "").strip() or None
        if key is not None and len(key) > MAX_POST_KEY:
            raise InvalidInputError(f"post_key must be at most {MAX_POST_KEY} characters")
        if key is not None and (earlier := self.store.comment_by_post_key(author.id, key)):
            if earlier.body == text:
                return Posted(earlier, False)  # a retry: nothing new, nothing counted
            key = None  # an old form (the back button) sent with new words: a new comment
        thread_id = self._thread_of(parent_id, paper.arxiv_id) if parent_id is not None else None
        now = self.clock()
        self._count_post(author, now)
        comment, created = self.store.add_comment(
            NewComment(paper.arxiv_id, author.id, text, self.renderer.render(text), thread_id,
                       key), now)
        mail_ids: tuple[int, ...] = ()
        if created:
            if thread_id is not None:
                mail_ids = tuple(self._mail_thread(comment, paper, thread_id, now))
            if self.on_change is not None:
                self.on_change(paper.arxiv_id)
        return Posted(comment, created, mail_ids)

    def edit(self, author: User, comment_id: int, body: str) -> Comment:
        """The author replaces their comment's text; it shows as edited."""
        comment = self._own(author, comment_id)
        self._may_write(author)
        text = self._checked_body(body)
        if not self.store.edit_comment(comment.id, text, self.renderer.render(text),
                                       self.clock()):
            raise ConflictError("this comment can no longer be edited")
        return self.comment(comment.id)

    def delete(self, person: User, comment_id: int) -> Comment:
        """Its author (or an admin) deletes a comment: the text is erased for good."""
        comment = self.comment(comment_id)
        if comment.user_id != person.id and not person.is_admin:
            raise PermissionDeniedError("you can only delete your own comments")
        return self._erase(comment)

    def _erase(self, comment: Comment) -> Comment:
        if not self.store.set_comment_state(comment.id, "deleted"):
            raise ConflictError(f"comment {comment.id} is deleted already")
        self.store.resolve_reports(comment.id, self.clock())
        self._changed(comment)
        return self.comment(comment.id)

    # -- upvotes and reports ------------------------------------------------------------

    def upvote(self, person: User, comment_id: int) -> CommentVotes:
        comment = self._readable(comment_id)
        self._may_write(person)
        if not self.store.vote_comment(comment.id, person.id, self.clock()):
            raise ConflictError("you have upvoted this comment already")
        return self._votes(person, comment.id)

    def remove_upvote(self, person: User, comment_id: int) -> CommentVotes:
        comment = self.comment(comment_id)
        if not self.store.unvote_comment(comment.id, person.id):
            raise ConflictError("you have not upvoted this comment")
        return self._votes(person, comment.id)

    def report(self, person: User, comment_id: int, reason: str) -> bool:
        """Flag a comment for the admins; False if this person reported it already."""
        comment = self._readable(comment_id)
        text = " ".join(reason.split())
        if not text:
            raise InvalidInputError("say briefly what is wrong with the comment")
        if len(text) > MAX_REASON:
            raise TooLargeError(f"a report can be at most {MAX_REASON} characters long")
        return self.store.report_comment(comment.id, person.id, text, self.clock())

    # -- moderation ---------------------------------------------------------------------

    def moderate(self, admin: User | None, comment_id: int,
                 action: str) -> Comment:
        """``hide``, ``show``, ``delete`` a comment, or ``dismiss`` its reports (admins).

        ``admin`` is None when the command line asks (it runs with the server's rights).
        """
        if admin is not None:
            self._admin(admin)
        comment = self.comment(comment_id)
        if action == "delete":
            return self._erase(comment)
        if action in ("hide", "show"):
            state: CommentState = "hidden" if action == "hide" else "visible"
            if not self.store.set_comment_state(comment.id, state):
                raise ConflictError(f"comment {comment_id} is deleted and stays so")
            self._changed(comment)
        elif action != "dismiss":
            raise InvalidInputError(f"action must be one of {', '.join(MODERATION_ACTIONS)}, "
                                    f"got {action[:20]!r}")
        self.store.resolve_reports(comment.id, self.clock())
        return self.comment(comment.id)

    def suspend(self, admin: User | None, user_id: int, suspended: bool) -> User:
        """Stop (or allow again) a person's commenting; their comments hide meanwhile
        (trending lists notice at their next refresh).

        ``admin`` is None when the command line asks (it runs with the server's rights).
        """
        if admin is not None:
            self._admin(admin)
        user = self.store.get_user(user_id)
        if user is None:
            raise NotFoundError(f"user {user_id} is not in this papertide")
        self.store.set_commenter_suspended(user.id, self.clock() if suspended else None)
        return user

    def moderation_view(self, limit: int, offset: int = 0) -> ModerationView:
        comments = tuple(self.store.newest_comments(limit, offset))
        reports = tuple(self.store.open_reports(limit))
        reported = {report.comment_id: self.comment(report.comment_id) for report in reports}
        people = {c.user_id for c in (*comments, *reported.values()) if c.user_id is not None}
        people |= {report.user_id for report in reports}
        emails: dict[int, str] = {}
        suspended: set[int] = set()
        for user_id in people:
            user = self.store.get_user(user_id)
            if user is not None:
                emails[user_id] = user.email
            if self.store.commenter(user_id).suspended:
                suspended.add(user_id)
        return ModerationView(comments, reports, reported, emails, frozenset(suspended))

    # -- reply mail ---------------------------------------------------------------------

    def stop_mail(self, user_id: int, token: str) -> User:
        """Turn discussion mail off from a mailed link (no sign-in needed; the link is signed)."""
        user = self.store.get_user(user_id)
        if user is None or not self.mailer.token_is_valid(user_id, token):
            raise InvalidInputError("this unsubscribe link is not valid; sign in and turn "
                                    "discussion mail off on a paper page instead")
        self.store.set_discussion_mail(user.id, False)
        return user

    def set_mail(self, person: User, wanted: bool) -> None:
        self.store.set_discussion_mail(person.id, wanted)

    def wants_mail(self, person: User) -> bool:
        return self.store.commenter(person.id).discussion_mail

    def is_suspended(self, person: User) -> bool:
        return self.store.commenter(person.id).suspended

    def _mail_thread(self, reply: Comment, paper: Paper, thread_id: int,
                     now: dt.datetime) -> list[int]:
        recipients: list[User] = []
        for user_id in self.store.thread_authors(thread_id):
            if user_id == reply.user_id:
                continue
            commenter = self.store.commenter(user_id)
            user = self.store.get_user(user_id)
            if user is not None and commenter.discussion_mail and not commenter.suspended:
                recipients.append(user)
        return self.mailer.queue(reply, paper, recipients, now) if recipients else []

    # -- checks -------------------------------------------------------------------------

    def _paper(self, arxiv_id: str) -> Paper:
        key = parse_arxiv_id(arxiv_id).base
        paper = self.store.get_paper(key)
        if paper is None:
            raise NotFoundError(f"paper {key} is not in this papertide")
        return paper

    def _may_write(self, person: User) -> None:
        if self.store.commenter(person.id).suspended:
            raise PermissionDeniedError("your account is suspended from discussions")

    def _checked_body(self, body: str) -> str:
        text = body.replace("\r\n", "\n").replace("\x00", "").strip()
        if not text:
            raise InvalidInputError("write something first: the comment is empty")
        if len(text) > self.max_chars:
            raise TooLargeError(f"a comment can be at most {self.max_chars:,} characters long "
                                f"(this one has {len(text):,})")
        return text

    def _thread_of(self, parent_id: int, arxiv_id: str) -> int:
        """The top-level comment a reply joins (a reply to a reply joins its thread)."""
        parent = self._readable(parent_id)
        if parent.arxiv_id != arxiv_id:
            raise InvalidInputError(f"comment {parent_id} is about another paper")
        return parent.parent_id if parent.parent_id is not None else parent.id

    def _readable(self, comment_id: int) -> Comment:
        comment = self.comment(comment_id)
        if not comment.shown:
            raise NotFoundError(f"comment {comment_id} is not shown any more")
        return comment

    def _own(self, author: User, comment_id: int) -> Comment:
        comment = self.comment(comment_id)
        if comment.user_id != author.id:
            raise PermissionDeniedError("you can only change your own comments")
        return comment

    def _count_post(self, author: User, now: dt.datetime) -> None:
        most = self.limit_per_hour
        enforce_hourly(self.store, {f"comment-user:{author.id}": most}, now, lambda _: (
            f"you have posted {most} comments in the last hour, the most allowed"))

    def _admin(self, person: User) -> None:
        if not person.is_admin:
            raise PermissionDeniedError("only admins can moderate discussions")

    def _votes(self, person: User, comment_id: int) -> CommentVotes:
        comment = self.comment(comment_id)
        return CommentVotes(comment.id, comment.votes,
                            comment.id in self.store.comments_voted_by(person.id, [comment.id]))

    def _changed(self, comment: Comment) -> None:
        if self.on_change is not None:
            self.on_change(comment.arxiv_id)
