"""Trending lists computed from a real database, cached, and updated by votes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papertide.app import Papertide
from papertide.models import Observation
from papertide.periods import week_period
from tests.community_helpers import MovableClock, open_community_app
from tests.helpers import make_record

MONDAY = dt.date(2026, 3, 9)
NOON = dt.datetime(2026, 3, 12, 12, 0, tzinfo=dt.UTC)  # Thursday


def _load(app: Papertide) -> None:
    records = [make_record(f"2603.0000{i}", announced=MONDAY + dt.timedelta(days=i % 4))
               for i in range(1, 9)]
    records.append(make_record("2602.00001", announced=dt.date(2026, 2, 2)))  # old
    app.store.upsert_papers(records, NOON)


def _voters(app: Papertide, count: int) -> list[int]:
    return [app.store.add_user(f"v{i}@example.org", False, NOON).id for i in range(count)]


def _ids(app: Papertide, window: str = "week") -> list[str]:
    ranking = app.community.board.window(window)  # type: ignore[arg-type]
    return [entry.arxiv_id for entry in ranking.entries]


def test_with_no_votes_the_week_lists_its_papers_newest_first(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOON))
    _load(app)
    ids = _ids(app)
    assert "2602.00001" not in ids and len(ids) == 8
    days = [app.store.get_paper(arxiv_id).announced_date for arxiv_id in ids]  # type: ignore[union-attr]
    assert days == sorted(days, reverse=True)
    app.close()


def test_votes_lift_a_paper_and_the_cached_list_follows_at_once(tmp_path: Path) -> None:
    clock = MovableClock(NOON)
    app = open_community_app(tmp_path, clock, trending_refresh_seconds="3600")
    _load(app)
    assert _ids(app)[0] != "2603.00001"
    library = app.community.library
    for user_id in _voters(app, 3):
        library.upvote(user_id, "2603.00001")
    assert _ids(app)[0] == "2603.00001"  # no recompute: the cached list was updated
    assert app.community.board.window("week").rank_of("2603.00001") == 1
    app.close()


def test_an_old_paper_with_recent_votes_joins_the_list(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOON))
    _load(app)
    for user_id in _voters(app, 2):
        app.community.library.upvote(user_id, "2602.00001")
    app.community.board.invalidate()
    assert _ids(app)[0] == "2602.00001"
    app.close()


def test_hf_upvotes_gained_this_week_count_and_old_ones_do_not(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOON))
    _load(app)
    week_ago = NOON - dt.timedelta(days=8)
    app.store.add_observations([
        Observation("2602.00001", "hf-daily", "upvotes", week_ago, 500.0),
        Observation("2602.00001", "hf-daily", "upvotes", NOON - dt.timedelta(hours=1), 500.0),
        Observation("2603.00002", "hf-daily", "upvotes", NOON - dt.timedelta(days=2), 3.0),
        Observation("2603.00002", "hf-daily", "upvotes", NOON - dt.timedelta(hours=1), 40.0),
    ])
    ids = _ids(app)
    assert ids[0] == "2603.00002"
    assert "2602.00001" not in ids  # 500 upvotes, none of them new
    app.close()


def test_a_stale_database_shows_its_last_days_and_still_counts_votes(tmp_path: Path) -> None:
    clock = MovableClock(NOON + dt.timedelta(days=90))  # nothing announced for three months
    app = open_community_app(tmp_path, clock)
    _load(app)
    ranking = app.community.board.window("week")
    assert ranking.anchored and ranking.as_of.date() == MONDAY + dt.timedelta(days=3)
    assert len(ranking.entries) == 8
    last = ranking.entries[-1].arxiv_id
    app.community.library.upvote(_voters(app, 1)[0], last)
    assert _ids(app)[0] == last
    app.close()


def test_a_week_page_sorted_by_trending_puts_voted_papers_first(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOON))
    _load(app)
    users = _voters(app, 2)
    for user_id in users:
        app.community.library.upvote(user_id, "2603.00005")
    app.community.library.upvote(users[0], "2603.00001")
    page = app.community.trending.period_page(week_period(MONDAY), 30, 0)
    ids = [paper.arxiv_id for paper in page.page.papers]
    assert ids[:2] == ["2603.00005", "2603.00001"] and len(ids) == 8
    assert page.ranks["2603.00005"] == 1
    app.close()


def test_a_removed_vote_takes_the_paper_back_down(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOON), trending_refresh_seconds="3600")
    _load(app)
    user = _voters(app, 1)[0]
    before = _ids(app)
    app.community.library.upvote(user, before[-1])
    assert _ids(app)[0] == before[-1]
    app.community.library.remove_upvote(user, before[-1])
    assert _ids(app) == before
    app.close()
