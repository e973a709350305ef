"""Keyword search through the service, on the real tantivy index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertide.app import Papertide, SearchFilters, SearchResults
from papertide.exceptions import InvalidQueryError
from tests.helpers import open_test_app
from tests.search.corpus import FILLER_COUNT, FILLER_WORD, PAPERS, filler_id, write_corpus


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papertide]:
    """One service with the corpus imported, shared by the read-only tests here."""
    folder = tmp_path_factory.mktemp("search")
    service = open_test_app(folder / "data")
    report = service.import_files([write_corpus(folder)])
    assert report.counts.new == len(PAPERS) + FILLER_COUNT
    yield service
    service.close()


def ids(results: SearchResults) -> list[str]:
    return [paper.arxiv_id for paper in results.page.papers]


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_abstract(
    searchable: Papertide,
) -> None:
    results = searchable.search("transformer")
    assert ids(results) == ["2501.00101", "2501.00102"]
    assert results.scores["2501.00101"] > results.scores["2501.00102"] > 0


def test_a_phrase_needs_the_exact_phrase(searchable: Papertide) -> None:
    assert ids(searchable.search('"large language model"')) == ["2501.00103"]
    loose = ids(searchable.search("large language model"))
    assert {"2501.00103", "2501.00104"} <= set(loose)


def test_words_are_stemmed(searchable: Papertide) -> None:
    assert set(ids(searchable.search("transformers"))) == {"2501.00101", "2501.00102"}
    assert set(ids(searchable.search("structures"))) == {"2501.00101", "2501.00102"}
    assert ids(searchable.search("galaxy")) == ["2501.00107"]


def test_any_of_the_words_matches_and_more_of_them_rank_higher(searchable: Papertide) -> None:
    results = searchable.search("quantum graph neural")
    assert ids(results) == ["2501.00105", "2501.00106"]
    assert results.page.total == 2


def test_a_required_word_must_be_present(searchable: Papertide) -> None:
    assert ids(searchable.search("quantum +codes")) == ["2501.00106"]


def test_a_minus_word_excludes(searchable: Papertide) -> None:
    assert ids(searchable.search("protein -recurrent")) == ["2501.00101"]
    assert ids(searchable.search("protein NOT recurrent")) == ["2501.00101"]
    assert ids(searchable.search('language -"language model"')) == ["2501.00104"]


def test_an_exclusion_alone_lists_everything_else(searchable: Papertide) -> None:
    results = searchable.search(f"-{FILLER_WORD}", page_size=100)
    assert set(ids(results)) == {arxiv_id for arxiv_id, *_ in PAPERS}


def test_a_category_filter_matches_the_archive_too(searchable: Papertide) -> None:
    assert set(ids(searchable.search("cat:astro-ph"))) == {"2501.00107", "2501.00108"}
    assert ids(searchable.search("cat:astro-ph.GA")) == ["2501.00107"]
    assert ids(searchable.search("cat:ASTRO-PH.co")) == ["2501.00108"]
    assert ids(searchable.search("quantum cat:cs.LG")) == ["2501.00105"]
    assert searchable.search("cat:hep-th").page.total == 0


def test_categories_from_a_form_field_combine_as_either(searchable: Papertide) -> None:
    results = searchable.search("protein", filters=SearchFilters(categories=("q-bio.BM", "x")))
    assert set(ids(results)) == {"2501.00101", "2501.00102"}


def test_the_author_filter_ignores_accents_and_case(searchable: Papertide) -> None:
    for text in ("author:balazs", "author:Balázs", "author:SZEGEDY", 'author:"Balazs Szegedy"',
                 "by:noether"):
        assert ids(searchable.search(text)) == ["2501.00105"], text
    assert searchable.search('author:"Szegedy Balazs"').page.total == 0
    assert searchable.search("author:turing quantum").page.total == 0


def test_the_date_range_filters_on_the_announced_date(searchable: Papertide) -> None:
    march = searchable.search("from:2025-03 to:2025-03")
    assert set(ids(march)) == {"2501.00105", "2501.00106", "2501.00107"}
    january = searchable.search("structure OR supernova to:2025-01-31")
    assert set(ids(january)) == {"2501.00101", "2501.00102", "2501.00108"}
    filtered = searchable.search(
        "quantum", filters=SearchFilters(date_from=dt.date(2025, 3, 5)))
    assert filtered.page.total == 1  # 00106 is announced on 5 March, 00105 on 4 March
    assert ids(filtered) == ["2501.00106"]


def test_sort_by_date_is_newest_first(searchable: Papertide) -> None:
    results = searchable.search(FILLER_WORD, page_size=100, sort="date")
    days = [paper.announced_date for paper in results.page.papers]
    assert len(days) == FILLER_COUNT
    assert days == sorted(days, reverse=True)
    assert days[0] is not None and days[0].month == 5


def test_pages_have_no_overlaps_and_no_gaps(searchable: Papertide) -> None:
    for sort in ("relevance", "date"):
        pages = [searchable.search(FILLER_WORD, page=page, page_size=4, sort=sort)
                 for page in range(1, 9)]
        seen = [arxiv_id for page in pages for arxiv_id in ids(page)]
        assert sorted(seen) == sorted(filler_id(n) for n in range(1, FILLER_COUNT + 1))
        assert all(page.page.total == FILLER_COUNT for page in pages)
        assert [len(page.page.papers) for page in pages] == [4, 4, 4, 4, 4, 4, 1, 0]


def test_a_query_of_only_stopwords_still_finds_something(searchable: Papertide) -> None:
    results = searchable.search("the of and")
    assert results.page.total > 0


def test_emoji_alone_find_nothing_without_error(searchable: Papertide) -> None:
    results = searchable.search("🚀🔥")
    assert results.page.total == 0
    assert results.page.papers == ()


def test_an_unknown_field_is_still_searched(searchable: Papertide) -> None:
    results = searchable.search("title:galaxies")
    assert "2501.00107" in ids(results)
    assert results.notices


def test_a_prefix_matches_word_beginnings(searchable: Papertide) -> None:
    assert set(ids(searchable.search("supern*"))) == {"2501.00108"}
    assert set(ids(searchable.search("transf*"))) == {"2501.00101", "2501.00102"}


def test_an_empty_query_is_refused(searchable: Papertide) -> None:
    with pytest.raises(InvalidQueryError):
        searchable.search("   ")


def test_pages_far_beyond_the_results_are_refused(searchable: Papertide) -> None:
    with pytest.raises(InvalidQueryError):
        searchable.search(FILLER_WORD, page=10_000, page_size=100)


@settings(max_examples=60)
@given(st.text(max_size=300))
def test_any_text_searches_or_is_refused_as_a_query(searchable: Papertide, text: str) -> None:
    try:
        results = searchable.search(text)
    except InvalidQueryError:
        return
    assert results.page.total >= len(results.page.papers)
