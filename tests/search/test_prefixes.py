"""Prefixes stand for the words people type, not for stems; and they stay bounded."""

from __future__ import annotations

import pytest

from papertide.app import Papertide
from papertide.search.query import MAX_LONG_QUERY_CHARS, MAX_PREFIX_WORDS
from tests.helpers import FIXED_NOW, make_record
from tests.postgres import test_engine

PAPERS = {
    "2501.00001": ("Knowledge distillation for small models", "We distil a teacher."),
    "2501.00002": ("Distilled students", "Students distilled from larger ones."),
    "2501.00003": ("How to distill reasoning", "A recipe that distills chains of thought."),
    "2501.00004": ("DistilBERT revisited", "A smaller encoder."),  # distil, not distill
    "2501.00005": ("Distance metrics", "Nothing about teachers."),
}


def load(app: Papertide) -> None:
    app.store.upsert_papers([make_record(arxiv_id, title, abstract=abstract)
                             for arxiv_id, (title, abstract) in PAPERS.items()], FIXED_NOW)
    app.sync_search_index()


def found(app: Papertide, text: str) -> set[str]:
    return {paper.arxiv_id for paper in app.search(text, mode="keyword", page_size=50).page.papers}


def test_a_prefix_matches_every_word_that_starts_with_it(app: Papertide) -> None:
    load(app)
    assert found(app, "distill*") == {"2501.00001", "2501.00002", "2501.00003"}
    assert found(app, "distil*") == {"2501.00001", "2501.00002", "2501.00003", "2501.00004"}
    assert found(app, "dist*") == set(PAPERS)


def test_a_prefix_also_matches_author_names(app: Papertide) -> None:
    app.store.upsert_papers([make_record("2501.00009", "A paper", authors=("Ada Lovelace",))],
                            FIXED_NOW)
    app.sync_search_index()
    assert found(app, "lovel*") == {"2501.00009"}


def test_a_prefix_of_very_many_words_is_bounded_with_a_notice(app: Papertide) -> None:
    many = MAX_PREFIX_WORDS + 20
    app.store.upsert_papers([make_record(f"2502.{n:05d}", f"Word zqx{n:04d} only")
                             for n in range(1, many + 1)], FIXED_NOW)
    app.sync_search_index()
    results = app.search("zqx*", mode="keyword")
    assert any(f"the {MAX_PREFIX_WORDS} most frequent were searched" in notice
               for notice in results.notices)
    assert results.page.total == MAX_PREFIX_WORDS
    assert not app.search("zqx0001*", mode="keyword").notices


def test_a_one_letter_prefix_answers_at_once_with_a_notice(app: Papertide) -> None:
    load(app)
    results = app.search("a*", mode="keyword")
    assert any("too short" in notice for notice in results.notices)


def test_a_long_query_of_prefixes_is_bounded_with_notices(app: Papertide) -> None:
    load(app)
    app.store.upsert_papers([make_record(f"2502.{n:05d}", f"Word zqx{n:04d} only")
                             for n in range(1, MAX_PREFIX_WORDS + 21)], FIXED_NOW)
    app.sync_search_index()
    starts = ["zqx", "dist", "know", "stud", "teach", "smal", "mode", "reas"]
    text = " ".join(f"{starts[n % len(starts)]}{'' if n < len(starts) else n}*"
                    for n in range(200))
    results = app.search(text, mode="keyword", page_size=50, max_chars=MAX_LONG_QUERY_CHARS)
    assert any("Only the first 32" in notice for notice in results.notices)
    assert any(f"zqx* starts more than {MAX_PREFIX_WORDS} words" in notice
               for notice in results.notices)
    assert set(PAPERS) - {"2501.00005"} <= {paper.arxiv_id for paper in results.page.papers}


@pytest.mark.skipif(test_engine() != "postgresql",
                    reason="tantivy lists a deleted document's words until segments merge")
def test_the_words_a_prefix_stands_for_follow_replaced_papers(app: Papertide) -> None:
    app.store.upsert_papers([make_record(f"2502.{n:05d}", f"Word zqx{n:04d} only")
                             for n in range(1, MAX_PREFIX_WORDS + 2)], FIXED_NOW)
    app.sync_search_index()
    assert app.search("zqx*", mode="keyword").notices
    app.store.upsert_papers([make_record("2502.00001", "Word renamed only", version_count=2)],
                            FIXED_NOW)
    app.sync_search_index()
    results = app.search("zqx*", mode="keyword")
    assert not results.notices
    assert results.page.total == MAX_PREFIX_WORDS
