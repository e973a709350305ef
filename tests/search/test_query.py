"""The search box syntax, as a specification of ``parse_query``."""

from __future__ import annotations

import datetime as dt

import pytest

from papertide.exceptions import InvalidQueryError
from papertide.search.query import (
    MAX_CLAUSES,
    MAX_LONG_QUERY_CHARS,
    MAX_QUERY_CHARS,
    ParsedQuery,
    parse_query,
)


def test_plain_words_are_optional_terms() -> None:
    query = parse_query("graph neural networks")
    assert query.words == ("graph", "neural", "networks")
    assert query.has_text and not query.has_filters


def test_repeated_words_count_once() -> None:
    assert parse_query("graph Graph graph").words == ("graph", "Graph")


def test_quoted_text_is_a_phrase() -> None:
    query = parse_query('"large language model" agents')
    assert query.phrases == ("large language model",)
    assert query.words == ("agents",)


def test_plus_requires_and_minus_excludes() -> None:
    query = parse_query('+diffusion -video -"image generation" model')
    assert query.required_words == ("diffusion",)
    assert query.excluded_words == ("video",)
    assert query.excluded_phrases == ("image generation",)
    assert query.words == ("model",)


def test_not_excludes_the_next_word_or_phrase() -> None:
    query = parse_query('robots NOT simulation NOT "reinforcement learning"')
    assert query.words == ("robots",)
    assert query.excluded_words == ("simulation",)
    assert query.excluded_phrases == ("reinforcement learning",)


def test_a_lowercase_not_is_an_ordinary_word() -> None:
    assert parse_query("to be or not to be").excluded_words == ()


@pytest.mark.parametrize("text", ["cats AND dogs", "cats OR dogs", "cats NEAR dogs",
                                  "cats && dogs", "cats || dogs"])
def test_boolean_operators_are_read_as_separators(text: str) -> None:
    query = parse_query(text)
    assert query.words == ("cats", "dogs")
    assert query.required_words == query.excluded_words == ()


def test_a_trailing_not_is_ignored() -> None:
    query = parse_query("robots NOT")
    assert query.words == ("robots",)
    assert query.excluded_words == ()


def test_author_filter_with_plain_and_quoted_names() -> None:
    query = parse_query('author:hinton author:"Yann LeCun" capsules')
    assert query.authors == ("hinton", "Yann LeCun")
    assert query.words == ("capsules",)
    assert query.has_filters


@pytest.mark.parametrize("alias", ["author", "au", "by", "AUTHOR", "Au"])
def test_author_aliases(alias: str) -> None:
    assert parse_query(f"{alias}:bengio").authors == ("bengio",)


@pytest.mark.parametrize("alias", ["cat", "category", "Cat"])
def test_category_aliases(alias: str) -> None:
    assert parse_query(f"{alias}:cs.LG {alias}:astro-ph").categories == ("cs.LG", "astro-ph")


@pytest.mark.parametrize(
    ("text", "date_from", "date_to"),
    [
        ("from:2025", dt.date(2025, 1, 1), None),
        ("from:2025-03", dt.date(2025, 3, 1), None),
        ("from:2025-03-15", dt.date(2025, 3, 15), None),
        ("to:2025", None, dt.date(2025, 12, 31)),
        ("to:2025-02", None, dt.date(2025, 2, 28)),
        ("to:2024-02", None, dt.date(2024, 2, 29)),
        ("to:2025-06-30", None, dt.date(2025, 6, 30)),
        ("since:2024-12 until:2025-01", dt.date(2024, 12, 1), dt.date(2025, 1, 31)),
        ("after:2024 before:2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_date_bounds_accept_a_year_a_month_or_a_day(
    text: str, date_from: dt.date | None, date_to: dt.date | None
) -> None:
    query = parse_query(text)
    assert (query.date_from, query.date_to) == (date_from, date_to)
    assert query.notices == ()


@pytest.mark.parametrize("bound", ["from:2025-13", "to:2025-02-30", "from:yesterday",
                                   "to:1800", "from:20255", "to:2025-1-1x"])
def test_a_bad_date_is_ignored_with_a_notice(bound: str) -> None:
    query = parse_query(f"{bound} transformers")
    assert query.date_from is None and query.date_to is None
    assert len(query.notices) == 1
    assert query.words == ("transformers",)


def test_an_empty_date_range_is_ignored_with_a_notice() -> None:
    query = parse_query("from:2025-06 to:2025-01")
    assert query.date_from is None and query.date_to is None
    assert query.notices


def test_a_word_with_a_star_is_a_prefix() -> None:
    query = parse_query("transform* graph")
    assert query.prefixes == ("transform",)
    assert query.words == ("graph",)


def test_a_prefix_needs_three_letters() -> None:
    query = parse_query("tr*")
    assert query.prefixes == ()
    assert query.words == ("tr",)


def test_an_excluded_prefix_excludes_the_word() -> None:
    query = parse_query("vision -transform*")
    assert query.prefixes == ()
    assert query.excluded_words == ("transform",)


def test_unbalanced_quotes_give_a_notice_and_keep_the_words() -> None:
    query = parse_query('graph "neural networks')
    assert query.words == ("graph", "neural", "networks")
    assert query.phrases == ()
    assert len(query.notices) == 1


def test_an_unknown_field_is_searched_as_words_with_a_notice() -> None:
    query = parse_query("title:attention")
    assert "attention" in query.words
    assert query.phrases == ()
    assert query.notices


def test_a_query_at_the_length_limit_is_fine_and_one_more_character_is_not() -> None:
    assert parse_query("a" * MAX_QUERY_CHARS).words == ("a" * MAX_QUERY_CHARS,)
    with pytest.raises(InvalidQueryError, match="characters"):
        parse_query("a" * (MAX_QUERY_CHARS + 1))


def test_too_many_phrases_and_filters_are_cut_with_a_notice() -> None:
    query = parse_query(" ".join(f'"phrase {n}" plain{n}' for n in range(MAX_CLAUSES + 8)))
    assert len(query.phrases) == MAX_CLAUSES
    assert query.phrases[-1] == f"phrase {MAX_CLAUSES - 1}"
    assert query.notices


def test_a_pasted_abstract_keeps_all_its_words() -> None:
    query = parse_query(" ".join(f"w{n}" for n in range(200)))
    assert len(query.words) == 200 and not query.notices


def test_longer_text_is_allowed_where_the_caller_says_so() -> None:
    text = "attention " * 500
    with pytest.raises(InvalidQueryError, match="POST"):
        parse_query(text)
    assert parse_query(text, max_chars=MAX_LONG_QUERY_CHARS).words == ("attention",)


def test_control_characters_separate_words() -> None:
    query = parse_query("graph\x00neural\tnetworks\r\nattention\x1b[31m")
    assert query.words[:3] == ("graph", "neural", "networks")
    assert all(word.isprintable() for word in query.words)


def test_emoji_are_kept_as_words() -> None:
    assert parse_query("🚀 rockets").words == ("🚀", "rockets")


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "AND OR", '""', 'author:""', "NOT"])
def test_nothing_searchable_is_an_empty_query(text: str) -> None:
    assert parse_query(text).is_empty


def test_a_query_of_only_exclusions_is_not_empty() -> None:
    query = parse_query("-video")
    assert not query.is_empty
    assert not query.has_text


def test_filters_from_outside_the_text_are_added() -> None:
    query = parse_query("author:smith robots to:2025").with_filters(
        authors=("jones",), categories=("cs.RO",), date_from=dt.date(2024, 1, 1))
    assert query.authors == ("smith", "jones")
    assert query.categories == ("cs.RO",)
    assert (query.date_from, query.date_to) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert isinstance(query, ParsedQuery)
