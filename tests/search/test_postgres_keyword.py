"""The PostgreSQL keyword index on its own: shared by processes, crash-safe, ranked by BM25."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.search.base import IndexState
from papertide.search.postgres_keyword import PostgresKeywordIndex
from papertide.search.query import parse_query
from papertide.search.sync import sync_keyword_index
from papertide.store.postgres.store import PostgresStore
from tests.helpers import FIXED_NOW, make_record
from tests.postgres import test_databases


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PostgresStore]:
    opened = PostgresStore(test_databases().fresh_url(str(tmp_path)))
    yield opened
    opened.close()


def found(index: PostgresKeywordIndex, text: str, limit: int = 10) -> list[str]:
    return [hit.arxiv_id for hit in index.search(parse_query(text), limit).hits]


def store_papers(store: PostgresStore, *papers: tuple[str, str, str]) -> None:
    store.upsert_papers([make_record(arxiv_id, title, abstract=abstract)
                         for arxiv_id, title, abstract in papers], FIXED_NOW)


def test_committed_papers_are_searchable_from_every_process(store: PostgresStore) -> None:
    store_papers(store, ("2501.00001", "Quokka census methods", "Counting marsupials."))
    index = PostgresKeywordIndex(store)
    index.replace_papers(store.papers_changed_since(0, 10))
    assert found(index, "quokka") == []  # staged, not committed
    index.commit(IndexState(store.instance_id, store.max_change_seq()))

    other_store = PostgresStore(store.url)  # another web process on the same database
    try:
        other = PostgresKeywordIndex(other_store)
        assert found(other, "quokka") == ["2501.00001"]
        assert other.state() == IndexState(store.instance_id, store.max_change_seq())
    finally:
        other_store.close()


def test_an_index_behind_the_database_catches_up_and_a_stale_replay_changes_nothing(
    store: PostgresStore,
) -> None:
    store_papers(store, ("2501.00001", "Quokka census methods", "Counting marsupials."))
    index = PostgresKeywordIndex(store)
    sync_keyword_index(store, index)
    old_version = store.papers_changed_since(0, 10)
    store.upsert_papers([
        make_record("2501.00001", "Wombat census methods", version_count=2),
        make_record("2501.00002", "Quokka diets", abstract="What quokkas eat."),
    ], FIXED_NOW)

    report = sync_keyword_index(store, index)
    assert (report.indexed, report.rebuilt) == (2, False)
    assert found(index, "wombat") == ["2501.00001"]
    assert found(index, "quokka") == ["2501.00002"]

    # A slower process replays the paper as it was before: the newer document stays.
    index.replace_papers(old_version)
    index.commit(IndexState(store.instance_id, 1))
    assert found(index, "wombat") == ["2501.00001"]
    assert index.state() == IndexState(store.instance_id, store.max_change_seq())


def test_a_state_of_another_database_makes_a_rebuild(store: PostgresStore) -> None:
    store_papers(store, ("2501.00001", "Quokka census methods", "Counting marsupials."))
    index = PostgresKeywordIndex(store)
    index.commit(IndexState("0" * 32, 99))

    report = sync_keyword_index(store, index)

    assert report.rebuilt and report.indexed == 1
    assert found(index, "quokka") == ["2501.00001"]


def test_a_rare_word_outranks_a_common_one(store: PostgresStore) -> None:
    common = [(f"2501.{n:05d}", f"Neural method {n}", "A neural network study.")
              for n in range(1, 30)]
    store_papers(store, *common, ("2502.00001", "Axolotl regeneration", "A neural study."),
                 ("2502.00002", "Limb growth", "Axolotl limbs regrow."))
    index = PostgresKeywordIndex(store)
    sync_keyword_index(store, index)

    results = index.search(parse_query("neural axolotl"), 5)

    assert [hit.arxiv_id for hit in results.hits[:2]] == ["2502.00001", "2502.00002"]
    assert results.total == 31


def test_scoring_only_the_rarer_words_candidates_keeps_the_top_and_the_total(
    store: PostgresStore,
) -> None:
    common = [(f"2501.{n:05d}", f"Graph method {n}", "Graph learning on a graph.")
              for n in range(1, 60)]
    store_papers(store, *common, ("2502.00001", "Graph sparsifiers", "Sparsifiers of a graph."),
                 ("2502.00002", "Spectral sparsifiers", "Cuts are kept."))
    full = PostgresKeywordIndex(store)
    sync_keyword_index(store, full)
    narrow = PostgresKeywordIndex(store, candidate_max=10)

    wide, cut = (index.search(parse_query("graph sparsifiers"), 3) for index in (full, narrow))

    best = ["2502.00001", "2502.00002"]
    assert [hit.arxiv_id for hit in wide.hits[:2]] == [hit.arxiv_id for hit in cut.hits[:2]] == best
    assert cut.total == wide.total == 61


def test_filters_and_exclusions_combine_with_the_words(store: PostgresStore) -> None:
    store.upsert_papers([
        make_record("2501.00001", "Galaxy surveys", abstract="Deep fields.",
                    categories=("astro-ph.GA",), authors=("Vera Rubin",),
                    announced=dt.date(2025, 1, 6)),
        make_record("2501.00002", "Galaxy mergers", abstract="Tidal tails.",
                    categories=("astro-ph.CO",), authors=("Édouard Roche",),
                    announced=dt.date(2025, 3, 3)),
    ], FIXED_NOW)
    index = PostgresKeywordIndex(store)
    sync_keyword_index(store, index)

    assert sorted(found(index, "galaxy cat:astro-ph")) == ["2501.00001", "2501.00002"]
    assert found(index, "galaxy cat:astro-ph.ga") == ["2501.00001"]
    assert found(index, "author:edouard") == ["2501.00002"]
    assert found(index, "galaxy -tidal") == ["2501.00001"]
    assert found(index, "galaxy from:2025-02") == ["2501.00002"]
    assert found(index, "merg*") == ["2501.00002"]


def test_a_query_of_only_common_words_lists_the_newest_papers_holding_them(
    store: PostgresStore,
) -> None:
    store.upsert_papers([
        make_record("2501.00001", "A study of quokkas", announced=dt.date(2025, 1, 6)),
        make_record("2501.00002", "A census of wombats", announced=dt.date(2025, 1, 8)),
        make_record("2501.00003", "Marsupials counted", announced=dt.date(2025, 1, 9)),
    ], FIXED_NOW)
    index = PostgresKeywordIndex(store)
    sync_keyword_index(store, index)
    hits = index.search(parse_query("a"), 10)
    assert [hit.arxiv_id for hit in hits.hits] == ["2501.00002", "2501.00001"]
    assert hits.total == 2 and not hits.total_exact
    assert any("very common words" in notice for notice in hits.notices)
    assert found(index, "a quokka") == ["2501.00001"]  # beside a real word: ranked as usual
