"""Cards' outside signals are read once per batch of observations: a page shows what
another process observed as soon as it is stored, and the same figures otherwise."""

from __future__ import annotations

from papertide.app import Papertide
from papertide.models import Observation
from papertide.store.factory import open_store
from tests.helpers import FIXED_NOW, make_record, utc


def _upvotes(arxiv_id: str, count: int, day: int) -> Observation:
    return Observation(arxiv_id, "hf-daily", "upvotes", utc(2025, 5, day, 8), float(count))


def _front_page(arxiv_id: str, position: int, day: int) -> Observation:
    return Observation(arxiv_id, "hf-front-page", "hfFrontPage", utc(2025, 5, day, 9),
                       value_number=float(position))


def test_what_another_process_observes_shows_on_the_next_page(app: Papertide) -> None:
    ids = ["2501.00001", "2501.00002"]
    app.store.upsert_papers([make_record(arxiv_id) for arxiv_id in ids], FIXED_NOW)
    app.store.add_observations([_upvotes("2501.00001", 10, 5), _front_page("2501.00001", 4, 5)])

    assert app.paper_signals(ids)["2501.00001"].hf_upvotes == 10
    assert "2501.00002" not in app.paper_signals(ids)
    assert app.signals(ids)["2501.00001"].front_page_best == 4  # read again: the same

    other = open_store(app.settings.resolved_database_url)  # an ingest worker elsewhere
    try:
        other.add_observations([_upvotes("2501.00001", 42, 6), _upvotes("2501.00002", 3, 6),
                                _front_page("2501.00001", 1, 6)])
    finally:
        other.close()

    shown = app.paper_signals(ids)
    assert (shown["2501.00001"].hf_upvotes, shown["2501.00002"].hf_upvotes) == (42, 3)
    summaries = app.signals(ids)
    assert summaries["2501.00001"].front_page_best == 1
    assert summaries["2501.00001"].front_page_snapshots == 2
