"""Front-page sightings in the trending score: each one counts, more near the top."""

from __future__ import annotations

import datetime as dt

from papertide.ranking.trending import PaperSignals, TrendingParams, rank, trending_score, unix

NOW = dt.datetime(2025, 5, 5, 18, 0, tzinfo=dt.UTC)
DAY = TrendingParams(NOW - dt.timedelta(days=1), dt.timedelta(hours=6))
MONTH = TrendingParams(NOW - dt.timedelta(days=30), dt.timedelta(hours=168))


def seen(arxiv_id: str, *sightings: tuple[float, int]) -> PaperSignals:
    """A paper seen ``hours`` ago at ``position``, for each (hours, position)."""
    points = [(unix(NOW - dt.timedelta(hours=hours)), float(position))
              for hours, position in sightings]
    return PaperSignals(arxiv_id, None, (), {"hfFrontPage": points})


def test_a_sighting_at_the_top_counts_like_an_upvote_and_lower_ones_less() -> None:
    top = trending_score(seen("a", (0, 1)), NOW, DAY)
    second = trending_score(seen("b", (0, 2)), NOW, DAY)
    tenth = trending_score(seen("c", (0, 10)), NOW, DAY)
    vote = trending_score(PaperSignals("d", None, (unix(NOW),)), NOW, DAY)

    assert top == vote == 1.0
    assert abs(second - 0.5) < 1e-12 and abs(tenth - 0.1) < 1e-12


def test_every_sighting_adds_and_old_ones_fade() -> None:
    once = trending_score(seen("a", (1, 3)), NOW, DAY)
    thrice = trending_score(seen("a", (1, 3), (5, 3), (9, 3)), NOW, DAY)
    stale = trending_score(seen("a", (12, 3)), NOW, DAY)

    assert thrice > once > stale > 0


def test_sightings_outside_the_window_count_nothing() -> None:
    assert trending_score(seen("a", (30, 1)), NOW, DAY) == 0
    assert trending_score(seen("a", (0.5, 1)), NOW - dt.timedelta(hours=1), DAY) == 0


def test_windows_differ_a_long_run_at_the_top_wins_the_month_a_fresh_one_the_day() -> None:
    fresh = seen("2505.00002", (1, 2), (5, 2))
    long_run = seen("2505.00001", *[(24 * days + hours, 1) for days in range(2, 9)
                                    for hours in (0, 6, 12)])

    assert [entry.arxiv_id for entry in rank([fresh, long_run], NOW, DAY)] == ["2505.00002"]
    assert [entry.arxiv_id for entry in rank([fresh, long_run], NOW, MONTH)] == [
        "2505.00001", "2505.00002"]
