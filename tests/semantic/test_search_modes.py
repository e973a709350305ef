"""Keyword, semantic and hybrid search through the service: modes, filters, pages, fallback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pytest

from papertide.app import Papertide, SearchFilters
from papertide.exceptions import InvalidQueryError, RunBusyError
from papertide.search.hybrid import SearchMode
from tests.helpers import FIXED_NOW, make_record
from tests.semantic.corpus import corpus_records

MODES: tuple[SearchMode, ...] = ("keyword", "semantic", "hybrid")


def ids(app: Papertide, text: str, mode: SearchMode, **options: object) -> list[str]:
    results = app.search(text, mode=mode, **options)  # type: ignore[arg-type]
    assert results.mode == mode, results.fallback
    return [paper.arxiv_id for paper in results.page.papers]


def test_meaning_finds_a_paper_that_shares_no_word_with_the_query(corpus_app: Papertide) -> None:
    assert "2501.00011" not in ids(corpus_app, "will it rain tomorrow", "keyword")
    assert ids(corpus_app, "will it rain tomorrow", "semantic")[0] == "2501.00011"
    assert ids(corpus_app, "will it rain tomorrow", "hybrid")[0] == "2501.00011"


def test_hybrid_matches_or_beats_both_halves_where_each_misses_something(
    corpus_app: Papertide
) -> None:
    """Recall@3 over queries that only meaning finds and queries that only words find."""
    judged = {
        "will it rain tomorrow": {"2501.00011"},                  # no shared word
        "heart beating irregularly": {"2501.00015"},             # paraphrase
        "Whitcombe": {"2501.00007", "2501.00013"},               # an author: words only
        "XQ-17": {"2501.00010"},                                 # a code: words only
        "qubits protected from noise": {"2501.00016"},           # both
    }

    def recall(mode: SearchMode) -> float:
        found = sum(len(set(ids(corpus_app, text, mode, page_size=3)) & relevant)
                    for text, relevant in judged.items())
        return found / sum(len(relevant) for relevant in judged.values())

    keyword, semantic, hybrid = recall("keyword"), recall("semantic"), recall("hybrid")
    assert keyword < 1.0 and semantic < 1.0
    assert hybrid >= max(keyword, semantic)
    assert hybrid == 1.0


@pytest.mark.parametrize("mode", MODES)
def test_filters_hold_in_every_mode(corpus_app: Papertide, mode: SearchMode) -> None:
    records = {record.arxiv_id: record for record in corpus_records()}
    in_category = ids(corpus_app, "learning from data cat:cs.LG", mode)
    assert in_category
    assert all("cs.LG" in records[arxiv_id].categories for arxiv_id in in_category)
    in_archive = ids(corpus_app, "stars and galaxies cat:astro-ph", mode)
    assert in_archive and all(any(c.startswith("astro-ph") for c in records[i].categories)
                              for i in in_archive)
    by_author = ids(corpus_app, "black holes", mode, filters=SearchFilters(authors=("Horizon",)))
    assert set(by_author) <= {"2501.00004", "2501.00014"} and "2501.00004" in by_author
    dated = ids(corpus_app, "neural networks", mode,
                filters=SearchFilters(date_from=dt.date(2025, 4, 1),
                                      date_to=dt.date(2025, 6, 30)))
    assert dated
    assert all(dt.date(2025, 4, 1) <= records[i].announced_date <= dt.date(2025, 6, 30)  # type: ignore[operator]
               for i in dated)


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_pages_are_consistent_slices_of_one_ranking(
    corpus_app: Papertide, mode: SearchMode
) -> None:
    whole = ids(corpus_app, "neural networks for science", mode, page_size=9)
    first = ids(corpus_app, "neural networks for science", mode, page_size=3, page=1)
    second = ids(corpus_app, "neural networks for science", mode, page_size=3, page=2)
    third = ids(corpus_app, "neural networks for science", mode, page_size=3, page=3)
    assert first + second + third == whole
    assert corpus_app.search("neural networks for science", mode=mode).page.total >= 9


def test_required_and_excluded_words_still_bind_in_hybrid(corpus_app: Papertide) -> None:
    found = ids(corpus_app, "learning -robot", "hybrid")
    assert found and "2501.00009" not in found
    assert ids(corpus_app, '"neutron stars"', "hybrid") == ["2501.00005"]
    assert ids(corpus_app, '"neutron stars"', "semantic") == ["2501.00005"]


def test_hybrid_is_the_default_mode(corpus_app: Papertide) -> None:
    assert corpus_app.search("protein folding").mode == "hybrid"


def test_the_search_mode_setting_changes_the_default(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    app = open_semantic_app(search_mode="keyword")
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    assert app.search("protein").mode == "keyword"


def test_hybrid_falls_back_to_keyword_until_papers_are_embedded(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    app = open_semantic_app()
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    before = app.search("protein structure")
    assert before.mode == "keyword"
    assert before.fallback and "not ready" in before.fallback
    assert before.fallback in before.notices
    assert "0 of 16 papers embedded" in before.fallback
    assert before.page.papers[0].arxiv_id == "2501.00001"
    status = app.embedding_status()
    assert (status.embedded, status.total, status.ready) == (0, 16, False)
    app.embed_pending()
    after = app.search("protein structure")
    assert (after.mode, after.fallback) == ("hybrid", None)
    assert app.embedding_status().ready


def test_a_few_new_papers_do_not_switch_hybrid_off(fresh_corpus_app: Papertide) -> None:
    from tests.helpers import make_record

    corpus_app = fresh_corpus_app
    corpus_app.store.upsert_papers([make_record("2502.00001", "A brand new paper")], FIXED_NOW)
    corpus_app.sync_search_index()
    corpus_app.semantic.notify()
    results = corpus_app.search("protein folding")
    assert results.mode == "hybrid"
    assert corpus_app.embedding_status().pending == 1


def test_date_order_and_filter_only_queries_are_answered_by_keyword(
    corpus_app: Papertide
) -> None:
    by_date = corpus_app.search("neural networks", sort="date", mode="hybrid")
    assert by_date.mode == "keyword" and by_date.fallback and "date" in by_date.fallback
    only_filter = corpus_app.search("cat:cs.CL", mode="semantic")
    assert only_filter.mode == "keyword" and only_filter.page.total == 3


@pytest.mark.parametrize("text", [
    "the of and is",                          # only stop words
    "🙂🚀🔥",                                  # only emoji
    "черные дыры испаряются",                  # Cyrillic
    "黑洞蒸发与信息悖论",                        # Chinese
    "x" * 1000,                               # as long as a query may be
    "((()))!!! ??",
])
@pytest.mark.parametrize("mode", MODES)
def test_odd_queries_get_an_answer_not_an_error(
    corpus_app: Papertide, text: str, mode: SearchMode
) -> None:
    results = corpus_app.search(text, mode=mode)
    assert results.page.total >= len(results.page.papers)
    assert results.mode in MODES


def test_only_emoji_says_why_meaning_was_not_used(corpus_app: Papertide) -> None:
    results = corpus_app.search("🙂🚀", mode="hybrid")
    assert results.mode == "keyword" and results.fallback
    assert results.page.papers == ()


@pytest.mark.parametrize("mode", MODES)
def test_empty_and_overlong_queries_are_refused_with_a_reason(
    corpus_app: Papertide, mode: SearchMode
) -> None:
    with pytest.raises(InvalidQueryError, match="type some words"):
        corpus_app.search("   ", mode=mode)
    with pytest.raises(InvalidQueryError, match="1,000"):
        corpus_app.search("neural " * 800, mode=mode)


def test_the_background_worker_embeds_new_papers_while_keyword_search_works(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    import time

    app = open_semantic_app()
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    app.start_background_embedding()
    assert app.search("protein structure", mode="keyword").page.total > 0
    deadline = time.monotonic() + 120
    while app.search("will it rain tomorrow").mode != "hybrid":
        assert time.monotonic() < deadline, app.embedding_status().describe()
        app.semantic.notify()   # forget the cached status
        time.sleep(0.2)
    assert app.embedding_status().running
    app.store.upsert_papers([replace(corpus_records()[0], arxiv_id="2502.00009")], FIXED_NOW)
    app.sync_search_index()     # an import wakes the worker
    while app.embedding_status().pending:
        assert time.monotonic() < deadline
        time.sleep(0.2)
        app.semantic.notify()
    assert app.embedding_status().embedded == 17


def test_hybrid_searches_from_many_threads_rank_as_one_at_a_time(corpus_app: Papertide) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["protein folding", "galaxy formation", "language model agents", "surface codes"]
    alone = {text: ids(corpus_app, text, "hybrid") for text in texts}
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda text: (text, ids(corpus_app, text, "hybrid")),
                                 texts * 4))
    assert all(found == alone[text] for text, found in together)


def test_closing_the_service_stops_its_query_threads(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    import threading

    def query_threads() -> set[threading.Thread]:
        return {thread for thread in threading.enumerate()
                if thread.name.startswith("papertide-query")}

    app = open_semantic_app()
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    app.embed_pending()
    others = query_threads()  # of services other tests keep open
    assert app.search("protein structure", mode="hybrid").mode == "hybrid"
    assert query_threads() - others
    app.close()
    assert not query_threads() - others


def test_one_pass_at_a_time_embeds_in_a_process(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    app = open_semantic_app()
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    refused: list[str] = []

    def embed_again(done: int, total: int) -> None:  # called while the first pass runs
        with pytest.raises(RunBusyError, match="embedding papers already") as busy:
            app.embed_pending()
        refused.append(str(busy.value))

    first = app.embed_pending(progress=embed_again)
    assert first.embedded == len(corpus_records()) and refused
    assert app.embed_pending().embedded == 0  # free again: runs, nothing left to embed


def test_a_remembered_title_or_its_rare_words_find_the_paper_first_in_hybrid(
    fresh_corpus_app: Papertide
) -> None:
    """A longer title holding the same words, or a paper holding some of the words in its
    title, can outscore the remembered paper in BM25 and in meaning; it still comes first."""
    app = fresh_corpus_app
    app.store.upsert_papers([
        make_record("2502.00001", "Attention Residuals", abstract=(
            "We replace fixed skip connections with learned mixtures over earlier layers.")),
        make_record("2502.00002", "Delta Attention Residuals", abstract=(
            "Attention residuals, revisited: attention residuals with delta updates make "
            "attention residuals cheaper.")),
        make_record("2502.00003", "A librarian agent for open research", abstract=(
            "A librarian agent answers questions about research, the librarian way.")),
        make_record("2502.00004", "Research agents that scale at test time", abstract=(
            "Our agent browses the web anonymously, like a librarian, and beats "
            "DeepConsult.")),
    ], FIXED_NOW)
    app.sync_search_index()
    app.embed_pending()
    assert ids(app, "Attention Residuals", "keyword")[0] == "2502.00002"
    assert ids(app, "Attention Residuals", "hybrid")[0] == "2502.00001"
    remembered = "browses librarian anonymously deepconsult"
    assert ids(app, remembered, "hybrid")[0] == "2502.00004"
