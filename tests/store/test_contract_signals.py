"""Store contract: each paper's signals summed up per signal, and the latest observation."""

from __future__ import annotations

from papertide.models import Observation
from papertide.store.base import Store
from tests.helpers import FIXED_NOW, make_record, utc


def _seen(arxiv_id: str, position: int, hour: int) -> Observation:
    return Observation(arxiv_id, "hf-front-page", "hfFrontPage", utc(2025, 5, 5, hour),
                       value_number=float(position))


def test_series_count_sightings_keep_the_best_position_and_the_latest_value(
        store: Store) -> None:
    store.upsert_papers([make_record("2501.00001"), make_record("2501.00002"),
                         make_record("2501.00003")], FIXED_NOW)
    store.add_observations([
        _seen("2501.00001", 4, 9), _seen("2501.00001", 2, 13), _seen("2501.00001", 3, 17),
        Observation("2501.00001", "hf-daily", "upvotes", utc(2025, 5, 5, 8), 10),
        Observation("2501.00001", "hf-daily", "upvotes", utc(2025, 5, 6, 8), 42),
        Observation("2501.00001", "hf-daily", "ai_keywords", utc(2025, 5, 6, 8),
                    value_text="a; b", extra={"keywords": ["a", "b"]}),
        _seen("2501.00002", 7, 9),
    ])

    found = store.signal_series(["2501.00001", "2501.00002", "2501.00003", "2501.00001"])

    assert set(found) == {"2501.00001", "2501.00002"}
    first = {series.signal: series for series in found["2501.00001"]}
    front = first["hfFrontPage"]
    assert (front.observations, front.lowest) == (3, 2)
    assert (front.first_at, front.last_at) == (utc(2025, 5, 5, 9), utc(2025, 5, 5, 17))
    assert (first["upvotes"].observations, first["upvotes"].latest_number) == (2, 42)
    assert first["ai_keywords"].latest_extra == {"keywords": ["a", "b"]}
    (second,) = found["2501.00002"]
    assert (second.signal, second.observations, second.lowest) == ("hfFrontPage", 1, 7)
    assert store.signal_series([]) == {}


def test_the_latest_observation_of_some_signals(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    assert store.latest_observation_at(["hfFrontPage"]) is None
    store.add_observations([
        _seen("2501.00001", 1, 9), _seen("2501.00001", 1, 17),
        Observation("2501.00001", "hf-daily", "upvotes", utc(2025, 6, 1), 3),
    ])

    assert store.latest_observation_at(["hfFrontPage"]) == utc(2025, 5, 5, 17)
    assert store.latest_observation_at(["hfFrontPage", "upvotes"]) == utc(2025, 6, 1)
    assert store.latest_observation_at([]) is None


def test_the_last_observation_number_moves_with_every_batch_added(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    assert store.last_observation_id() == 0
    store.add_observations([_seen("2501.00001", 4, 9)])
    first = store.last_observation_id()
    store.add_observations([_seen("2501.00001", 2, 13), _seen("2501.00001", 1, 14)])
    assert store.last_observation_id() > first > 0
