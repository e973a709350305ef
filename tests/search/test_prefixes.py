"""Prefixes stand for the words people type, not for stems; and they stay bounded."""

from __future__ import annotations

import pytest

from papertide.app import Papertide
from papertide.search.query import MAX_PREFIX_WORDS
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


@pytest.mark.skipif(test_engine() == "postgresql",
                    reason="PostgreSQL's GIN index matches prefixes itself, with no word list")
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
