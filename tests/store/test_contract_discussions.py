"""Contract: comments, replies, upvotes, reports and commenters, on every engine."""

from __future__ import annotations

import datetime as dt

import pytest

from papertide.discussions.models import NewComment
from papertide.exceptions import NotFoundError
from papertide.store.base import Store
from tests.helpers import FIXED_NOW, make_record

LATER = FIXED_NOW + dt.timedelta(minutes=5)


def _setup(store: Store) -> tuple[int, int]:
    store.upsert_papers([make_record("2501.00001"), make_record("2501.00002")], FIXED_NOW)
    alice = store.add_user("alice@example.org", False, FIXED_NOW)
    bob = store.add_user("bob@example.org", False, FIXED_NOW)
    return alice.id, bob.id


def _comment(store: Store, user_id: int, body: str, arxiv_id: str = "2501.00001",
             parent_id: int | None = None, key: str | None = None,
             now: dt.datetime = FIXED_NOW) -> int:
    comment, created = store.add_comment(
        NewComment(arxiv_id, user_id, body, f"<p>{body}</p>", parent_id, key), now)
    assert created
    return comment.id


def test_a_comment_and_its_reply_come_back_in_order_with_their_text(store: Store) -> None:
    alice, bob = _setup(store)
    first = _comment(store, alice, "Nice result")
    reply = _comment(store, bob, "Agreed", parent_id=first, now=LATER)
    comments = store.comments_for("2501.00001")
    assert [(c.id, c.parent_id, c.user_id, c.body, c.body_html) for c in comments] == [
        (first, None, alice, "Nice result", "<p>Nice result</p>"),
        (reply, first, bob, "Agreed", "<p>Agreed</p>")]
    assert comments[0].created_at == FIXED_NOW and comments[1].created_at == LATER
    assert store.comments_for("2501.00002") == []


def test_a_form_sent_twice_stores_one_comment(store: Store) -> None:
    alice, bob = _setup(store)
    first, created = store.add_comment(NewComment("2501.00001", alice, "once", "<p>once</p>",
                                                  post_key="k1"), FIXED_NOW)
    again, created_again = store.add_comment(
        NewComment("2501.00001", alice, "once", "<p>once</p>", post_key="k1"), LATER)
    assert created and not created_again and again.id == first.id
    other, created_other = store.add_comment(
        NewComment("2501.00001", bob, "mine", "<p>mine</p>", post_key="k1"), LATER)
    assert created_other and other.id != first.id
    assert len(store.comments_for("2501.00001")) == 2
    found = store.comment_by_post_key(alice, "k1")
    assert found is not None and found.id == first.id
    assert store.comment_by_post_key(alice, "k2") is None


def test_a_comment_on_an_unknown_paper_or_parent_is_refused(store: Store) -> None:
    alice, _ = _setup(store)
    with pytest.raises(NotFoundError):
        store.add_comment(NewComment("2999.99999", alice, "x", "x"), FIXED_NOW)
    with pytest.raises(NotFoundError):
        store.add_comment(NewComment("2501.00001", alice, "x", "x", parent_id=424242),
                          FIXED_NOW)
    assert store.comments_for("2501.00001") == []


def test_counts_leave_out_hidden_deleted_and_suspended_comments(store: Store) -> None:
    alice, bob = _setup(store)
    kept = _comment(store, alice, "kept")
    hidden = _comment(store, alice, "hidden")
    _comment(store, bob, "by bob")
    _comment(store, bob, "other paper", arxiv_id="2501.00002")
    assert store.comment_counts(["2501.00001", "2501.00002", "2999.1"]) == {
        "2501.00001": 3, "2501.00002": 1}
    assert store.set_comment_state(hidden, "hidden")
    store.set_commenter_suspended(bob, FIXED_NOW)
    assert store.comment_counts(["2501.00001", "2501.00002"]) == {"2501.00001": 1}
    assert store.commenter(bob).suspended and not store.commenter(alice).suspended
    store.set_commenter_suspended(bob, None)
    assert store.set_comment_state(kept, "deleted")
    assert store.comment_counts(["2501.00001"]) == {"2501.00001": 1}
    erased = store.get_comment(kept)
    assert erased is not None and erased.state == "deleted" and erased.body == ""
    assert not store.set_comment_state(kept, "visible"), "a deleted comment stays deleted"


def test_editing_replaces_the_text_and_marks_the_time(store: Store) -> None:
    alice, _ = _setup(store)
    first = _comment(store, alice, "typo")
    assert store.edit_comment(first, "fixed", "<p>fixed</p>", LATER)
    edited = store.get_comment(first)
    assert edited is not None and edited.body == "fixed" and edited.edited_at == LATER
    store.set_comment_state(first, "deleted")
    assert not store.edit_comment(first, "back", "<p>back</p>", LATER)


def test_one_upvote_per_person_and_comment(store: Store) -> None:
    alice, bob = _setup(store)
    first = _comment(store, alice, "vote me")
    assert store.vote_comment(first, bob, LATER)
    assert not store.vote_comment(first, bob, LATER)
    assert store.vote_comment(first, alice, LATER)
    comment = store.get_comment(first)
    assert comment is not None and comment.votes == 2
    assert store.comments_voted_by(bob, [first, 999]) == {first}
    assert store.unvote_comment(first, bob) and not store.unvote_comment(first, bob)
    assert store.comments_voted_by(bob, [first]) == set()
    with pytest.raises(NotFoundError):
        store.vote_comment(424242, bob, LATER)


def test_reports_stay_open_until_resolved(store: Store) -> None:
    alice, bob = _setup(store)
    first = _comment(store, alice, "rude")
    assert store.report_comment(first, bob, "spam", LATER)
    assert not store.report_comment(first, bob, "again", LATER)
    reports = store.open_reports(10)
    assert [(r.comment_id, r.user_id, r.reason) for r in reports] == [(first, bob, "spam")]
    assert store.resolve_reports(first, LATER) == 1
    assert store.open_reports(10) == []


def test_newest_comments_come_newest_first_with_paging(store: Store) -> None:
    alice, _ = _setup(store)
    ids = [_comment(store, alice, f"c{n}", now=FIXED_NOW + dt.timedelta(minutes=n))
           for n in range(5)]
    assert [c.id for c in store.newest_comments(2)] == ids[::-1][:2]
    assert [c.id for c in store.newest_comments(2, 2)] == ids[::-1][2:4]


def test_discussion_mail_can_be_turned_off_and_on(store: Store) -> None:
    alice, _ = _setup(store)
    assert store.commenter(alice).discussion_mail
    store.set_discussion_mail(alice, False)
    assert not store.commenter(alice).discussion_mail
    store.set_discussion_mail(alice, True)
    assert store.commenter(alice).discussion_mail
    with pytest.raises(NotFoundError):
        store.set_discussion_mail(424242, False)


def test_thread_authors_are_the_people_in_a_thread_in_speaking_order(store: Store) -> None:
    alice, bob = _setup(store)
    carol = store.add_user("carol@example.org", False, FIXED_NOW).id
    top = _comment(store, bob, "question")
    _comment(store, alice, "answer", parent_id=top)
    _comment(store, bob, "thanks", parent_id=top)
    _comment(store, carol, "elsewhere")
    assert store.thread_authors(top) == [bob, alice]


def test_comment_times_and_most_discussed_count_shown_comments_in_the_window(
    store: Store,
) -> None:
    alice, bob = _setup(store)
    _comment(store, alice, "old", now=FIXED_NOW - dt.timedelta(days=10))
    for minutes in (1, 2):
        _comment(store, alice, f"new {minutes}", now=FIXED_NOW + dt.timedelta(minutes=minutes))
    _comment(store, bob, "other", arxiv_id="2501.00002", now=LATER)
    hidden = _comment(store, bob, "hidden", arxiv_id="2501.00002", now=LATER)
    store.set_comment_state(hidden, "hidden")
    since = FIXED_NOW - dt.timedelta(days=1)
    times = sorted(store.comment_times_since(since))
    assert times == [("2501.00001", (FIXED_NOW + dt.timedelta(minutes=1)).timestamp()),
                     ("2501.00001", (FIXED_NOW + dt.timedelta(minutes=2)).timestamp()),
                     ("2501.00002", LATER.timestamp())]
    assert {key: len(value) for key, value in store.comment_times_for(
        ["2501.00001", "2501.00002"]).items()} == {"2501.00001": 3, "2501.00002": 1}
    assert store.most_discussed(since, FIXED_NOW + dt.timedelta(hours=1), 5) == [
        ("2501.00001", 2), ("2501.00002", 1)]
    assert store.most_discussed(since, FIXED_NOW + dt.timedelta(hours=1), 1) == [
        ("2501.00001", 2)]


def test_deleting_an_account_removes_its_comments_and_keeps_replied_ones_as_placeholders(
    store: Store,
) -> None:
    alice, bob = _setup(store)
    answered = _comment(store, alice, "answered")
    _comment(store, alice, "alone")
    reply = _comment(store, bob, "a reply", parent_id=answered)
    assert store.delete_user(alice)
    left = store.comments_for("2501.00001")
    assert [(c.id, c.user_id, c.state, c.body, c.body_html) for c in left] == [
        (answered, None, "deleted", "", ""), (reply, bob, "visible", "a reply", "<p>a reply</p>")]
