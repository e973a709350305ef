"""Contract: follows, watches and paper events behave the same on every engine."""

from __future__ import annotations

import datetime as dt

from papertide.follows.models import AuthorFollow
from papertide.models import Observation
from papertide.store.base import Store
from tests.helpers import FIXED_NOW, make_record

LATER = FIXED_NOW + dt.timedelta(days=1)


def _reader(store: Store, email: str = "reader@example.org") -> int:
    return store.add_user(email, False, FIXED_NOW).id


def test_a_new_version_is_one_event_and_seeing_it_again_is_none(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", version_count=1, abstract="We study cats.")],
                        FIXED_NOW)
    assert store.paper_events_for("2501.00001") == []
    newer = make_record("2501.00001", version_count=2, abstract="We study cats and dogs.",
                        comments="Accepted at ICLR 2027")
    store.upsert_papers([newer], LATER)
    store.upsert_papers([newer], LATER + dt.timedelta(hours=1))
    store.upsert_papers([make_record("2501.00001", version_count=2, source="other")], LATER)
    events = store.paper_events_for("2501.00001")
    assert [(event.kind, event.key) for event in events] == [("version", "version:2")]
    assert events[0].detail["abstract_before"] == "We study cats."
    assert events[0].detail["abstract_after"] == "We study cats and dogs."
    assert events[0].detail["comment"] == "Accepted at ICLR 2027"


def test_a_journal_reference_doi_and_first_repository_are_events(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", version_count=1)], FIXED_NOW)
    store.upsert_papers([make_record("2501.00001", version_count=1, journal_ref="Nature 1 (2027)",
                                     doi="10.1000/xyz")], LATER)
    repo = Observation("2501.00001", "hf", "githubRepo", LATER, None, "https://github.com/a/b")
    store.add_observations([repo])
    store.add_observations([Observation("2501.00001", "hf", "githubRepo", LATER, None,
                                        "https://github.com/a/c")])
    kinds = sorted(event.kind for event in store.paper_events_for("2501.00001"))
    assert kinds == ["code", "doi", "journal_ref"]


def test_readers_hear_of_events_on_saved_papers_after_saving_unless_unwatched(
        store: Store) -> None:
    store.upsert_papers([make_record(f"2501.0000{n}", version_count=1) for n in (1, 2, 3)],
                        FIXED_NOW)
    store.upsert_papers([make_record("2501.00003", version_count=2)], FIXED_NOW)  # before saving
    reader = _reader(store)
    for arxiv_id in ("2501.00001", "2501.00002", "2501.00003"):
        store.save_paper(reader, arxiv_id, (), FIXED_NOW + dt.timedelta(minutes=1))
    store.set_watching(reader, "2501.00002", False)
    store.upsert_papers([make_record(f"2501.0000{n}", version_count=3) for n in (1, 2, 3)],
                        LATER)
    heard = store.watched_events(reader, 10)
    assert sorted((event.arxiv_id, event.key) for event in heard) == [
        ("2501.00001", "version:3"), ("2501.00003", "version:3")]
    assert store.unwatched_among(reader, ["2501.00001", "2501.00002"]) == {"2501.00002"}
    store.set_watching(reader, "2501.00002", True)
    assert len(store.watched_events(reader, 10)) == 3
    assert store.watched_events(_reader(store, "other@example.org"), 10) == []


def test_follows_are_kept_per_reader_and_updated_in_place(store: Store) -> None:
    reader, other = _reader(store), _reader(store, "other@example.org")
    follow = AuthorFollow("jane doe", "Jane Doe", ("max mustermann",), True, FIXED_NOW)
    store.follow_author(reader, follow)
    store.follow_author(reader, AuthorFollow("jane doe", "Jane Doe", ("ann lee",), False, LATER))
    store.follow_author(other, AuthorFollow("jane doe", "Jane Doe", (), False, LATER))
    store.follow_author(other, AuthorFollow("li wei", "Li Wei", (), False, LATER))
    follows = store.author_follows([reader, other])
    assert [(f.author_key, f.coauthors, f.ambiguous) for f in follows[reader]] == [
        ("jane doe", ("ann lee",), False)]
    assert [f.author_key for f in follows[other]] == ["jane doe", "li wei"]
    assert store.most_followed_authors(5)[0] == ("jane doe", "Jane Doe", 2)
    assert store.unfollow_author(reader, "jane doe") is True
    assert store.unfollow_author(reader, "jane doe") is False
    assert reader not in store.author_follows([reader])


def test_a_feed_token_names_one_reader_until_replaced_or_revoked(store: Store) -> None:
    reader = _reader(store)
    store.set_feed_token(reader, "hash-1", FIXED_NOW)
    assert store.user_by_feed_token("hash-1") == reader and store.has_feed_token(reader)
    store.set_feed_token(reader, "hash-2", LATER)
    assert store.user_by_feed_token("hash-1") is None
    assert store.user_by_feed_token("hash-2") == reader
    store.set_feed_token(reader, None, LATER)
    assert store.user_by_feed_token("hash-2") is None and not store.has_feed_token(reader)


def test_deleting_a_reader_forgets_their_follows_watches_and_feed(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    reader = _reader(store)
    store.follow_author(reader, AuthorFollow("jane doe", "Jane Doe", (), False, FIXED_NOW))
    store.set_watching(reader, "2501.00001", False)
    store.set_feed_token(reader, "hash-1", FIXED_NOW)
    assert store.delete_user(reader)
    assert store.author_follows([reader]) == {}
    assert store.user_by_feed_token("hash-1") is None
    assert store.most_followed_authors(5) == []
