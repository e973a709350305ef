"""Rising topics computed from a real database of papers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papertide.app import Papertide
from papertide.exceptions import PapertideError
from papertide.topics.compute import TopicParams
from papertide.topics.service import Topics
from tests.community_helpers import MovableClock, open_community_app
from tests.helpers import make_record

FIRST_MONDAY = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
FILLER = ["Protein Folding", "Galaxy Clusters", "Graph Coloring", "Speech Recognition",
          "Robot Grasping", "Weather Forecasting", "Image Segmentation", "Query Optimization"]


def _corpus(app: Papertide) -> None:
    """Eight weeks; "sparse autoencoders" appears only in the last two, "graph neural
    networks" steadily throughout."""
    records = []
    number = 0
    for week in range(8):
        monday = FIRST_MONDAY + dt.timedelta(weeks=week)
        for i in range(20):
            number += 1
            topic = FILLER[(i + week) % len(FILLER)]
            if i < 3:
                topic = "Graph Neural Networks"
            if week >= 6 and i >= 15:
                topic = "Sparse Autoencoders"
            records.append(make_record(
                f"2601.{number:05d}", f"{topic} Study {number}",
                abstract=f"We study {topic.lower()} in depth.",
                announced=monday + dt.timedelta(days=i % 5)))
    app.store.upsert_papers(records, NOW)


def test_a_phrase_that_appears_recently_rises_and_a_steady_one_does_not(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOW))
    _corpus(app)
    run = app.community.topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    phrases = [topic.phrase for topic in run.topics]
    # As the abstracts write it (titles are in title case), as a heading.
    assert phrases[0] == "Sparse autoencoders"
    assert not any("graph neural" in phrase.lower() for phrase in phrases)
    top = run.topics[0]
    assert top.recent_papers == 10 and top.baseline_papers == 0 and top.growth is None
    assert top.weekly_papers == (0, 0, 0, 0, 0, 0, 5, 5)
    assert run.weekly_totals == (20,) * 8 and run.papers_considered == 160
    assert run.first_week == FIRST_MONDAY and run.as_of == dt.date(2026, 2, 27)
    app.close()


def test_a_topic_lists_its_papers_newest_first(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOW))
    _corpus(app)
    app.community.topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    stored = app.community.topics.run()
    assert stored is not None
    result = app.community.topics.papers(stored.topics[0].slug, 4, 0)
    assert result.total == 10 and len(result.papers) == 4
    days = [paper.announced_date for paper in result.papers]
    assert days == sorted(days, reverse=True)
    assert all("Sparse Autoencoders" in paper.title for paper in result.papers)
    app.close()


def test_a_run_replaces_the_previous_one_and_records_when(tmp_path: Path) -> None:
    clock = MovableClock(NOW)
    app = open_community_app(tmp_path, clock)
    topics = app.community.topics
    assert topics.run() is None and topics.is_stale(dt.timedelta(hours=1))
    _corpus(app)
    topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    assert not topics.is_stale(dt.timedelta(hours=1))
    clock.advance(hours=2)
    assert not topics.is_stale(dt.timedelta(hours=1))  # old, but no paper changed since
    app.store.upsert_papers([make_record("2603.99999", announced=dt.date(2026, 3, 2))], NOW)
    assert topics.is_stale(dt.timedelta(hours=1))
    app.close()


def test_too_few_papers_give_no_topics_rather_than_noise(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOW))
    app.store.upsert_papers([make_record("2602.00001", "Quantum Widgets",
                                         announced=dt.date(2026, 2, 20))], NOW)
    run = app.community.topics.recompute()
    assert run.topics == () and run.papers_considered == 1
    app.close()


def _failing_computation(now: dt.datetime, params: TopicParams | None,
                         as_of: dt.date | None) -> None:
    raise SystemExit(3)  # the topics' own process ends without storing a run


def test_a_computation_whose_process_fails_is_reported_and_keeps_the_last_run(
        tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOW))
    try:
        _corpus(app)
        topics = app.community.topics
        kept = topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
        failing = Topics(app.store, app.clock, _failing_computation)
        with pytest.raises(PapertideError, match="exit status 3"):
            failing.recompute()
        assert topics.run() == kept
    finally:
        app.close()
