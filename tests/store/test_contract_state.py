"""Store contract: observations, meta values, transactions, identity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from papertide.accounts.models import Session
from papertide.library.models import LibraryOrder
from papertide.models import Observation
from papertide.store.base import Store
from tests.helpers import FIXED_NOW, make_record, utc


class Boom(Exception):
    """Raised inside a transaction to make it roll back."""


def _upvotes(value: float, when: dt.datetime, arxiv_id: str = "2501.00001") -> Observation:
    return Observation(arxiv_id, "hf", "upvotes", when, value_number=value)


def test_observations_come_back_in_time_order(store: Store) -> None:
    store.upsert_papers([make_record(f"2501.0000{n}") for n in (1, 2, 3)], FIXED_NOW)
    added = store.add_observations([
        _upvotes(30, utc(2025, 1, 8)),
        _upvotes(10, utc(2025, 1, 6)),
        _upvotes(20, utc(2025, 1, 7)),
        _upvotes(99, utc(2025, 1, 7), arxiv_id="2501.00002"),
    ])

    observed = store.observations_for("2501.00001")

    assert added == 4
    assert [(o.observed_at, o.value_number) for o in observed] == [
        (utc(2025, 1, 6), 10), (utc(2025, 1, 7), 20), (utc(2025, 1, 8), 30)]
    assert [o.value_number for o in store.observations_for("2501.00002")] == [99]
    assert store.observations_for("2501.00003") == []


def test_observations_are_appended_never_replaced(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    store.add_observations([_upvotes(10, utc(2025, 1, 6))])
    store.add_observations([_upvotes(10, utc(2025, 1, 6)), _upvotes(12, utc(2025, 1, 6))])

    values = sorted(o.value_number or 0 for o in store.observations_for("2501.00001"))

    assert values == [10, 10, 12]


def test_observations_of_several_signals_are_each_in_time_order(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    store.add_observations([
        Observation("2501.00001", "github", "stars", utc(2025, 1, 9), 5),
        _upvotes(2, utc(2025, 1, 8)),
        Observation("2501.00001", "github", "stars", utc(2025, 1, 7), 3),
        _upvotes(1, utc(2025, 1, 6)),
    ])
    observed = store.observations_for("2501.00001")
    for signal in ("stars", "upvotes"):
        times = [o.observed_at for o in observed if o.signal == signal]
        assert times == sorted(times)
        assert len(times) == 2


def test_latest_observations_give_the_newest_value_of_each_asked_signal(store: Store) -> None:
    store.upsert_papers([make_record(f"2501.0000{n}") for n in (1, 2, 3)], FIXED_NOW)
    store.add_observations([
        _upvotes(3, utc(2025, 1, 6)),
        _upvotes(9, utc(2025, 1, 8)),
        _upvotes(5, utc(2025, 1, 7)),
        Observation("2501.00001", "hf", "githubRepo", utc(2025, 1, 6), value_text="a/b"),
        Observation("2501.00001", "hf", "rank", utc(2025, 1, 9), value_number=1),
        _upvotes(40, utc(2025, 1, 6), "2501.00002"),
        _upvotes(70, utc(2025, 1, 6), "2501.00003"),
    ])
    latest = store.latest_observations(["2501.00001", "2501.00002"],
                                       {"upvotes", "githubRepo"})
    assert [(o.arxiv_id, o.signal, o.value_number, o.value_text) for o in latest] == [
        ("2501.00001", "githubRepo", None, "a/b"),
        ("2501.00001", "upvotes", 9, None),
        ("2501.00002", "upvotes", 40, None),
    ]
    assert store.latest_observations([], {"upvotes"}) == []
    assert store.latest_observations(["2501.00001"], set()) == []


def test_an_observation_round_trips(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    original = Observation(
        "2501.00001", "hf-trending", "rank", utc(2025, 2, 4, 18, 4), value_number=None,
        value_text="front page — 1st", extra={"page": 1, "note": "café", "ids": [1, 2]},
    )
    store.add_observations([original])
    assert store.observations_for("2501.00001") == [original]


def test_meta_values_are_set_read_and_overwritten(store: Store) -> None:
    assert store.get_meta("last_import") is None
    store.set_meta("last_import", "2025-01-06")
    store.set_meta("greeting", "grüß dich")
    store.set_meta("last_import", "2025-01-07")
    assert store.get_meta("last_import") == "2025-01-07"
    assert store.get_meta("greeting") == "grüß dich"


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", "Before")], FIXED_NOW)
    seq = store.max_change_seq()

    def write_then_fail() -> None:
        with store.transaction():
            store.upsert_papers([make_record("2501.00002")], FIXED_NOW)
            store.upsert_papers([make_record("2501.00001", "After", version_count=3)],
                                FIXED_NOW)
            store.add_observations([_upvotes(1, utc(2025, 1, 6))])
            store.set_meta("marker", "written")
            raise Boom

    with pytest.raises(Boom):
        write_then_fail()

    assert store.count_papers() == 1
    paper = store.get_paper("2501.00001")
    assert paper is not None
    assert paper.title == "Before"
    assert store.max_change_seq() == seq
    assert store.observations_for("2501.00001") == []
    assert store.get_meta("marker") is None


def test_a_nested_transaction_joins_the_outer_one(store: Store) -> None:
    def nest_then_fail() -> None:
        with store.transaction():
            store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
            with store.transaction():
                store.upsert_papers([make_record("2501.00002")], FIXED_NOW)
            # The inner block finished, but its writes belong to the outer one.
            raise Boom

    with pytest.raises(Boom):
        nest_then_fail()

    assert store.count_papers() == 0


def test_an_error_in_a_nested_transaction_rolls_back_the_outer_one(store: Store) -> None:
    def fail_inside() -> None:
        with store.transaction():
            store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
            with store.transaction():
                store.set_meta("marker", "written")
                raise Boom

    with pytest.raises(Boom):
        fail_inside()
    assert store.count_papers() == 0
    assert store.get_meta("marker") is None


def test_a_committed_transaction_is_seen_by_another_connection(
    store: Store, open_more_stores: Callable[[], Store]
) -> None:
    other = open_more_stores()
    with store.transaction():
        store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
        with store.transaction():
            store.set_meta("marker", "written")
    assert other.get_paper("2501.00001") is not None
    assert other.get_meta("marker") == "written"


def test_the_store_works_after_a_rolled_back_transaction(store: Store) -> None:
    def fail() -> None:
        with store.transaction():
            store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
            raise Boom

    with pytest.raises(Boom):
        fail()
    store.upsert_papers([make_record("2501.00002")], FIXED_NOW)
    assert sorted(store.get_papers(["2501.00001", "2501.00002"])) == ["2501.00002"]


def test_instance_id_is_stable_per_database_and_unique_between_them(
    store: Store, open_more_stores: Callable[[], Store], other_store: Store
) -> None:
    assert open_more_stores().instance_id == store.instance_id
    assert other_store.instance_id != store.instance_id


def test_a_users_sessions_are_listed_and_the_others_ended(store: Store) -> None:
    reader = store.add_user("reader@example.org", False, FIXED_NOW)
    other = store.add_user("other@example.org", False, FIXED_NOW)
    month = dt.timedelta(days=30)
    for name, user, seen in (("a", reader, 1), ("b", reader, 3), ("old", reader, 2),
                             ("c", other, 1)):
        expires = FIXED_NOW + (-month if name == "old" else month)
        store.add_session(Session(name, user.id, FIXED_NOW, expires,
                                  FIXED_NOW + dt.timedelta(hours=seen)))

    assert [s.token_hash for s in store.sessions_of(reader.id, FIXED_NOW)] == ["b", "a"]
    assert store.delete_other_sessions(reader.id, "a") == 2  # "b" and the expired one
    assert [s.token_hash for s in store.sessions_of(reader.id, FIXED_NOW)] == ["a"]
    assert [s.token_hash for s in store.sessions_of(other.id, FIXED_NOW)] == ["c"]


def test_users_are_read_by_many_addresses_at_once(store: Store) -> None:
    ada = store.add_user("ada@example.org", False, FIXED_NOW)
    bo = store.add_user("bo@example.org", True, FIXED_NOW)
    many = [f"nobody{number}@example.org" for number in range(1200)]  # past one chunk
    found = store.users_by_email(["bo@example.org", *many, "ada@example.org",
                                  "ada@example.org", "ADA@example.org"])
    assert found == {"ada@example.org": ada, "bo@example.org": bo}  # as stored, exactly
    assert store.users_by_email([]) == {}


def test_the_library_is_searched_by_title_author_or_id_and_sorted(store: Store) -> None:
    store.upsert_papers([
        make_record("2501.00001", "Zebra finches sing", authors=("Ada Lovelace",),
                    announced=dt.date(2025, 1, 6)),
        make_record("2501.00002", "Attention for 100% of tokens", authors=("Alan Turing",),
                    announced=dt.date(2025, 1, 8)),
        make_record("2501.00003", "Birds and_more", authors=("Grace Hopper",),
                    announced=dt.date(2025, 1, 7)),
    ], FIXED_NOW)
    user = store.add_user("lib@example.org", False, FIXED_NOW)
    for minutes, key in enumerate(("2501.00002", "2501.00001", "2501.00003")):
        store.save_paper(user.id, key, ["birds"] if key != "2501.00002" else [],
                         FIXED_NOW + dt.timedelta(minutes=minutes))

    def ids(text: str | None = None, order: LibraryOrder = "saved",
            tag: str | None = None) -> list[str]:
        saved, total = store.saved_papers(user.id, tag, 10, 0, text, order)
        assert total == len(saved)
        return [entry.arxiv_id for entry in saved]

    assert ids() == ["2501.00003", "2501.00001", "2501.00002"]  # last saved first
    assert ids(order="announced") == ["2501.00002", "2501.00003", "2501.00001"]
    assert ids(order="title") == ["2501.00002", "2501.00003", "2501.00001"]
    assert ids(text="zebra") == ["2501.00001"]
    assert ids(text="LOVELACE") == ["2501.00001"]
    assert ids(text="00002") == ["2501.00002"]
    assert ids(text="100%") == ["2501.00002"]  # % and _ are literal characters
    assert ids(text="s_m") == []  # "_" is not "any one character"
    assert ids(text="and_m") == ["2501.00003"]
    assert ids(text="finches", tag="birds") == ["2501.00001"]
    assert ids(text="attention", tag="birds") == []
