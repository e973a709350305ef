"""Whatever a person types, the parser answers or says the query is too long."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papertide.exceptions import InvalidQueryError
from papertide.search.query import MAX_QUERY_CHARS, ParsedQuery, parse_query

# Pieces of queries: any character, and the bits of syntax the parser reacts to.
QUERY_PIECES = st.one_of(
    st.sampled_from(string.printable),
    st.sampled_from(['"', ":", "*", "-", "+", "(", ")", "\\", "NOT ", "AND ", "author:",
                     "cat:", "from:", "to:", "2025-", "🚀", "é", "\u200b", "\x00", "\ufeff"]),
    st.characters(),
)
QUERIES = st.lists(QUERY_PIECES, max_size=120).map("".join)


def _parse(text: str) -> ParsedQuery | None:
    try:
        return parse_query(text)
    except InvalidQueryError:
        assert len(text) > MAX_QUERY_CHARS
        return None


@given(QUERIES)
@example('author:"')
@example('""""""')
@example("from:9999-99-99 to:0000")
@example("-" * 50)
@example("* ** *** ****")
@example('cat:"" by:" "')
def test_short_random_queries_always_parse(text: str) -> None:
    query = _parse(text)
    assert query is not None
    every_part = (*query.words, *query.required_words, *query.excluded_words, *query.phrases,
                  *query.excluded_phrases, *query.prefixes, *query.authors, *query.categories)
    assert all(part and part.isprintable() for part in every_part)


@settings(max_examples=15,
          suppress_health_check=[HealthCheck.large_base_example, HealthCheck.too_slow])
@given(st.text(st.sampled_from(string.printable), min_size=5_000, max_size=5_000))
def test_five_thousand_random_characters_are_refused_cleanly(text: str) -> None:
    assert _parse(text) is None
