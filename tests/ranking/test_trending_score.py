"""Properties of the trending score (a pure function: data in, ``now`` passed in)."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

from papertide.ranking.trending import (
    PaperSignals,
    TrendingParams,
    external_increments,
    rank,
    trending_score,
    unix,
)

NOW = dt.datetime(2026, 3, 12, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
HALF_LIFE = dt.timedelta(hours=6)
DAY = TrendingParams(NOW - dt.timedelta(days=1), HALF_LIFE)
WEEK = TrendingParams(NOW - dt.timedelta(days=7), dt.timedelta(hours=36))


def ago(**delta: float) -> float:
    return unix(NOW - dt.timedelta(**delta))


def paper(arxiv_id: str = "2603.00001", announced: dt.date | None = None,
          votes: tuple[float, ...] = (), **external: list[tuple[float, float]]) -> PaperSignals:
    return PaperSignals(arxiv_id, announced, votes, external)


def test_a_recent_vote_weighs_more_than_an_old_one() -> None:
    fresh = trending_score(paper(votes=(ago(hours=1),)), NOW, DAY)
    stale = trending_score(paper(votes=(ago(hours=10),)), NOW, DAY)
    assert fresh > stale > 0


def test_a_vote_one_half_life_old_counts_half() -> None:
    now_vote = trending_score(paper(votes=(unix(NOW),)), NOW, DAY)
    old_vote = trending_score(paper(votes=(ago(hours=6),)), NOW, DAY)
    assert now_vote == 1.0 and abs(old_vote - 0.5) < 1e-12


def test_more_votes_rank_higher_and_order_follows_recency_at_equal_counts() -> None:
    papers = [
        paper("2603.00001", votes=(ago(hours=2),)),
        paper("2603.00002", votes=(ago(hours=2), ago(hours=3))),
        paper("2603.00003", votes=(ago(hours=1),)),
    ]
    assert [entry.arxiv_id for entry in rank(papers, NOW, DAY)] == [
        "2603.00002", "2603.00003", "2603.00001"]


def test_a_paper_with_no_signals_decays_with_age() -> None:
    lone = paper(announced=TODAY)
    scores = [trending_score(lone, NOW + dt.timedelta(hours=hours), WEEK) for hours in (0, 12, 48)]
    assert scores[0] > scores[1] > scores[2] > 0
    newer = trending_score(paper(announced=TODAY), NOW, WEEK)
    older = trending_score(paper(announced=TODAY - dt.timedelta(days=3)), NOW, WEEK)
    assert newer > older > 0


def test_events_outside_the_window_do_not_count() -> None:
    assert trending_score(paper(votes=(ago(days=2),)), NOW, DAY) == 0
    assert trending_score(paper(votes=(unix(NOW) + 60,)), NOW, DAY) == 0  # not yet cast
    assert trending_score(paper(announced=TODAY - dt.timedelta(days=3)), NOW, DAY) == 0
    assert rank([paper(votes=(ago(days=2),))], NOW, DAY) == []


def test_ties_are_broken_by_newer_announcement_then_later_id_whatever_the_input_order() -> None:
    papers = [
        paper("2603.00010", TODAY - dt.timedelta(days=1), votes=(ago(hours=1),)),
        paper("2603.00011", TODAY - dt.timedelta(days=2), votes=(ago(hours=1),)),
        paper("2603.00012", TODAY - dt.timedelta(days=1), votes=(ago(hours=1),)),
        paper("2603.00009", None, votes=(ago(hours=1),)),
    ]
    expected = ["2603.00012", "2603.00010", "2603.00011", "2603.00009"]
    shuffler = random.Random(7)
    for _ in range(10):
        shuffler.shuffle(papers)
        ranked = rank(papers, NOW, DAY)
        assert len({entry.score for entry in ranked}) == 1  # a real tie
        assert [entry.arxiv_id for entry in ranked] == expected


def test_external_counts_add_their_change_within_the_window_not_their_total() -> None:
    famous = paper("2603.00001", upvotes=[(ago(days=3), 900.0), (ago(hours=1), 900.0)])
    rising = paper("2603.00002", upvotes=[(ago(days=3), 0.0), (ago(hours=1), 5.0)])
    assert trending_score(famous, NOW, DAY) == 0
    assert abs(trending_score(rising, NOW, DAY) - 5 * 2 ** (-1 / 6)) < 1e-9
    assert [entry.arxiv_id for entry in rank([famous, rising], NOW, DAY)] == ["2603.00002"]


def test_without_an_earlier_observation_the_first_in_the_window_is_the_baseline() -> None:
    first_seen = paper(upvotes=[(ago(hours=5), 300.0), (ago(hours=1), 310.0)])
    assert abs(trending_score(first_seen, NOW, DAY) - 10 * 2 ** (-1 / 6)) < 1e-9


def test_a_paper_announced_in_the_window_counts_all_it_gathered() -> None:
    new = paper(announced=TODAY, upvotes=[(ago(hours=2), 40.0)])
    assert trending_score(new, NOW, DAY) > 40 * 2 ** (-2 / 6)


def test_github_stars_count_a_tenth_of_an_upvote_each() -> None:
    stars = paper(githubStars=[(ago(days=2), 100.0), (unix(NOW), 150.0)])
    upvotes = paper(upvotes=[(ago(days=2), 100.0), (unix(NOW), 105.0)])
    assert abs(trending_score(stars, NOW, DAY) - trending_score(upvotes, NOW, DAY)) < 1e-9


def test_a_count_that_drops_adds_nothing_until_it_passes_its_best() -> None:
    points = [(1.0, 10.0), (2.0, 20.0), (3.0, 12.0), (4.0, 18.0), (5.0, 25.0)]
    assert external_increments(points, 0.5, announced_inside=True) == [
        (1.0, 10.0), (2.0, 10.0), (5.0, 5.0)]
    assert external_increments(points, 2.5, announced_inside=False) == [(5.0, 5.0)]


def test_unknown_external_signals_are_ignored() -> None:
    assert trending_score(paper(numComments=[(ago(days=2), 0.0), (ago(hours=1), 50.0)]),
                          NOW, DAY) == 0


@given(st.lists(st.floats(min_value=0, max_value=86_000), max_size=30),
       st.floats(min_value=0, max_value=86_000))
def test_one_more_vote_never_lowers_a_score(ages: list[float], extra: float) -> None:
    votes = tuple(unix(NOW) - age for age in ages)
    before = trending_score(paper(votes=votes), NOW, DAY)
    after = trending_score(paper(votes=(*votes, unix(NOW) - extra)), NOW, DAY)
    assert after > before


@given(st.lists(st.tuples(st.integers(0, 5), st.floats(min_value=0, max_value=80_000)),
                max_size=40), st.randoms())
def test_the_order_does_not_depend_on_the_order_of_the_data(
    votes: list[tuple[int, float]], shuffler: random.Random
) -> None:
    by_paper: dict[int, list[float]] = {}
    for number, age in votes:
        by_paper.setdefault(number, []).append(unix(NOW) - age)
    papers = [paper(f"2603.{number:05d}", TODAY, tuple(times))
              for number, times in by_paper.items()]
    expected = [entry.arxiv_id for entry in rank(papers, NOW, DAY)]
    shuffler.shuffle(papers)
    assert [entry.arxiv_id for entry in rank(papers, NOW, DAY)] == expected


def test_a_comment_counts_half_an_upvote_and_only_inside_the_window() -> None:
    discussed = PaperSignals("2603.00009", None, (), {},
                             (unix(NOW), unix(NOW), ago(days=2)))
    assert trending_score(discussed, NOW, DAY) == 1.0  # two fresh comments, one outside
    one_comment = PaperSignals("2603.00008", None, (), {}, (unix(NOW),))
    one_vote = paper("2603.00007", votes=(unix(NOW),))
    assert [entry.arxiv_id for entry in rank([one_comment, one_vote], NOW, DAY)] == [
        "2603.00007", "2603.00008"]
