"""Recent search results are reused only while the indexes stay as they were."""

from __future__ import annotations

from pathlib import Path

from papertide.search.result_cache import ResultCache
from tests.helpers import kaggle_row, open_test_app, write_jsonl


def test_a_kept_result_is_reused_until_the_generation_changes() -> None:
    cache: ResultCache[str] = ResultCache(max_entries=2)
    computed: list[str] = []

    def compute(value: str) -> str:
        computed.append(value)
        return value

    assert cache.get_or_compute(1, "a", lambda: compute("first")) == "first"
    assert cache.get_or_compute(1, "a", lambda: compute("again")) == "first"
    assert cache.get_or_compute(2, "a", lambda: compute("newer")) == "newer"
    cache.get_or_compute(2, "b", lambda: compute("b"))
    cache.get_or_compute(2, "c", lambda: compute("c"))  # "a" was the oldest: dropped
    assert cache.get_or_compute(2, "a", lambda: compute("recomputed")) == "recomputed"
    assert computed == ["first", "newer", "b", "c", "recomputed"]


def test_a_search_repeated_after_an_import_finds_the_new_paper(tmp_path: Path) -> None:
    service = open_test_app(tmp_path / "data", search_mode="keyword")
    try:
        first = write_jsonl(tmp_path / "first.jsonl", [
            kaggle_row("2501.00001", title="Wombat burrows at dusk")])
        service.import_files([first])
        assert [paper.arxiv_id for paper in service.search("wombat").page.papers] == [
            "2501.00001"]
        second = write_jsonl(tmp_path / "second.jsonl", [
            kaggle_row("2501.00002", title="Wombat burrows at dawn")])
        service.import_files([second])
        assert {paper.arxiv_id for paper in service.search("wombat").page.papers} == {
            "2501.00001", "2501.00002"}
    finally:
        service.close()
