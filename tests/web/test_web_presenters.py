"""The pure helpers behind the templates: what a reader sees in edge cases."""

from __future__ import annotations

import pytest

from papertide.models import PaperPage
from papertide.periods import parse_period
from papertide.web.presenters import (
    licence_name,
    paginate,
    paper_path,
    period_short,
    period_subtitle,
    period_title,
    preview,
    printable,
    shorten_authors,
)


@pytest.mark.parametrize(("count", "shown", "hidden"), [
    (0, 0, 0), (4, 4, 0), (5, 5, 0), (6, 4, 2), (21, 4, 17)])
def test_long_author_lists_are_cut_but_never_to_one_more(
    count: int, shown: int, hidden: int
) -> None:
    authors = shorten_authors([f"Author {number}" for number in range(count)])
    assert len(authors.shown) == shown and authors.hidden == hidden


def test_previews_cut_at_a_word_and_say_so() -> None:
    text = "word " * 100
    cut = preview(text, 50)
    assert len(cut) <= 51 and cut.endswith("word…")
    assert preview("short abstract", 50) == "short abstract"


def test_control_characters_are_dropped_but_text_is_kept() -> None:
    assert printable("a\x00b\x1bc\u2028d 🙂 é") == "abc\u2028d 🙂 é"


def test_licence_urls_get_short_names() -> None:
    assert licence_name("http://creativecommons.org/licenses/by/4.0/") == "CC BY 4.0"
    assert licence_name("http://creativecommons.org/licenses/by-nc-sa/3.0/") == "CC BY-NC-SA 3.0"
    assert licence_name("http://arxiv.org/licenses/nonexclusive-distrib/1.0/") == (
        "arXiv non-exclusive licence")
    assert licence_name("something else") == "something else"


def test_old_style_ids_keep_their_slash_in_paths() -> None:
    assert paper_path("hep-th/9901001") == "/papers/hep-th/9901001"


def test_period_names() -> None:
    day, week, month = (parse_period("date", "2026-03-11"), parse_period("week", "2026-W11"),
                        parse_period("month", "2026-02"))
    assert [period_title(p) for p in (day, week, month)] == [
        "Mar 11", "Week 11, 2026", "February 2026"]
    assert period_subtitle(day) == "Wednesday, March 11, 2026"
    assert period_subtitle(week) == "Mar 9 – Mar 15, 2026"
    assert period_subtitle(month) == "Feb 1 – Feb 28, 2026"
    assert [period_short(p) for p in (day, week, month)] == ["Mar 11", "Week 11", "Feb 2026"]


def page_of(number: int, total: int, size: int = 10) -> PaperPage:
    return PaperPage((), total, (number - 1) * size, size)


def test_pagination_shows_ends_neighbours_and_gaps() -> None:
    pagination = paginate(page_of(10, 200), "/search", [("q", "graph"), ("page", "10")])
    numbers = [link.number for link in pagination.links]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert [link.number for link in pagination.links if link.current] == [10]
    assert pagination.previous_url == "/search?q=graph&page=9"
    assert pagination.next_url == "/search?q=graph&page=11"
    assert pagination.links[0].url == "/search?q=graph"  # page 1 has no page parameter


def test_pagination_of_one_page_is_not_needed() -> None:
    assert not paginate(page_of(1, 7), "/").needed
    assert paginate(page_of(1, 11), "/").needed
