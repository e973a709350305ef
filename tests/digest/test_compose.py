"""Composition is pure: the same inputs give the same digest, and these rules hold."""

from __future__ import annotations

import datetime as dt

from papertide.digest.compose import DigestInputs, compose_digest
from papertide.digest.models import DigestPeriod, SearchMatches
from papertide.models import Paper
from papertide.subscriptions.models import Preferences, Subscriber
from tests.helpers import FIXED_NOW

PERIOD = DigestPeriod("daily", "2026-11-26", dt.date(2026, 11, 25), dt.date(2026, 11, 26),
                      FIXED_NOW)


def paper(arxiv_id: str, *categories: str, day: dt.date = dt.date(2026, 11, 26)) -> Paper:
    return Paper(arxiv_id, f"Title {arxiv_id}", "Abstract.", ("A. Author",), categories[0],
                 categories, None, None, None, None, 1, (), None, None, day, False, (),
                 FIXED_NOW, FIXED_NOW)


def subscriber(**preferences: object) -> Subscriber:
    return Subscriber(7, "reader@example.org", "active",
                      Preferences(**preferences),  # type: ignore[arg-type]
                      FIXED_NOW)


PAPERS = {p.arxiv_id: p for p in (
    paper("t1", "cs.LG"), paper("t2", "cs.CV"), paper("t3", "cs.CL"),
    paper("c1", "cs.CL"), paper("c2", "cs.CL"), paper("c3", "cs.CL", "cs.LG"),
    paper("s1", "cs.RO"),
)}
INPUTS = DigestInputs(
    period=PERIOD,
    papers=PAPERS,
    trending=("t1", "t2", "t3", "c1"),
    scores={"t1": 9.0, "t2": 8.0, "t3": 7.0, "c1": 6.0},
    new_by_category={"cs.CL": ("t3", "c1", "c2", "c3"), "cs.LG": ("t1", "c3")},
    searches={"robots": SearchMatches(("s1", "t3"), 2),
              "everything": SearchMatches(tuple(PAPERS), 9_999),
              "nothing": SearchMatches((), 0)},
)


def ids(section_entries: object) -> list[str]:
    return [entry.paper.arxiv_id for entry in section_entries]  # type: ignore[attr-defined]


def test_sections_come_in_order_and_each_paper_appears_once() -> None:
    digest = compose_digest(subscriber(trending_count=2, categories=("cs.CL",),
                                       searches=("robots",)), INPUTS, set(), FIXED_NOW, 10)
    assert [section.kind for section in digest.sections] == ["trending", "search", "category"]
    trending, search, category = digest.sections
    assert ids(trending.entries) == ["t1", "t2"]
    assert ids(search.entries) == ["s1", "t3"]
    assert ids(category.entries) == ["c1", "c2", "c3"]  # t3 went to the search section
    assert len(digest.arxiv_ids) == len(set(digest.arxiv_ids)) == 7
    assert "listed above" in (category.note or "")


def test_every_reason_is_given_beside_each_paper() -> None:
    digest = compose_digest(subscriber(trending_count=3, categories=("cs.CL",),
                                       searches=("robots",)), INPUTS, set(), FIXED_NOW, 10)
    entry = next(e for s in digest.sections for e in s.entries if e.paper.arxiv_id == "t3")
    assert entry.reasons == ("trending #3", "matches “robots”", "new in cs.CL")
    assert digest.sections[0].reason.startswith("The papers people upvote")


def test_papers_already_mailed_never_come_again() -> None:
    mailed = {"t1", "t2", "s1", "c1"}
    digest = compose_digest(subscriber(trending_count=2, categories=("cs.CL",),
                                       searches=("robots",)), INPUTS, mailed, FIXED_NOW, 10)
    assert not set(digest.arxiv_ids) & mailed
    assert ids(digest.sections[0].entries) == ["t3"]  # the next ones down the list


def test_a_search_that_matches_everything_is_capped_and_links_to_the_rest() -> None:
    digest = compose_digest(subscriber(trending_count=0, searches=("everything",)), INPUTS,
                            set(), FIXED_NOW, 3)
    [section] = digest.sections
    assert len(section.entries) == 3 and section.more == 9_996
    assert section.more_path is not None and "q=everything" in section.more_path
    assert "from=2026-11-25" in section.more_path and "to=2026-11-26" in section.more_path


def test_a_search_that_matches_nothing_says_so_and_an_empty_digest_is_empty() -> None:
    digest = compose_digest(subscriber(trending_count=0, searches=("nothing",)), INPUTS, set(),
                            FIXED_NOW, 10)
    [section] = digest.sections
    assert section.entries == () and section.note == "Nothing new this time."
    assert digest.is_empty


def test_an_archive_follows_all_its_categories() -> None:
    inputs = DigestInputs(PERIOD, PAPERS, new_by_category={"cs": ("t1", "t2", "s1")})
    digest = compose_digest(subscriber(trending_count=0, categories=("cs",)), inputs, set(),
                            FIXED_NOW, 10)
    assert ids(digest.sections[0].entries) == ["t1", "t2", "s1"]
    assert digest.sections[0].title == "New in cs"


def test_personal_picks_come_first_when_there_are_some() -> None:
    inputs = DigestInputs(PERIOD, PAPERS, trending=("t1",), picks={7: ("c2",)})
    on = compose_digest(subscriber(trending_count=1), inputs, set(), FIXED_NOW, 10)
    off = compose_digest(subscriber(trending_count=1, personal_picks=False), inputs, set(),
                         FIXED_NOW, 10)
    assert [s.kind for s in on.sections] == ["picks", "trending"]
    assert [s.kind for s in off.sections] == ["trending"]


def test_composition_is_deterministic() -> None:
    prefs = {"trending_count": 2, "categories": ("cs.CL", "cs.LG"), "searches": ("robots",)}
    first = compose_digest(subscriber(**prefs), INPUTS, {"c2"}, FIXED_NOW, 2)
    second = compose_digest(subscriber(**prefs), INPUTS, {"c2"}, FIXED_NOW, 2)
    assert first == second


def test_the_most_discussed_papers_get_a_section_after_trending_with_their_comment_count(
) -> None:
    inputs = DigestInputs(period=PERIOD, papers=PAPERS, trending=("t1",),
                          scores={"t1": 9.0}, discussed={"c2": 7, "t1": 5, "s1": 1})
    digest = compose_digest(subscriber(trending_count=1), inputs, {"s1"}, FIXED_NOW, 10)
    assert [(section.kind, section.title) for section in digest.sections] == [
        ("trending", "Trending today"), ("discussed", "Discussed today")]
    discussed = digest.sections[1]
    assert ids(discussed.entries) == ["c2"]  # t1 is listed above; s1 was mailed before
    assert discussed.entries[0].reasons == ("7 comments today",)
    trending_entry = digest.sections[0].entries[0]
    assert trending_entry.reasons == ("trending #1", "5 comments today")
    weekly = DigestPeriod("weekly", "2026-W48", dt.date(2026, 11, 23), dt.date(2026, 11, 29),
                          FIXED_NOW)
    digest = compose_digest(subscriber(trending_count=0), DigestInputs(
        period=weekly, papers=PAPERS, discussed={"c2": 1}), set(), FIXED_NOW, 10)
    assert [section.title for section in digest.sections] == ["Discussed this week"]
    assert digest.sections[0].entries[0].reasons == ("1 comment this week",)
