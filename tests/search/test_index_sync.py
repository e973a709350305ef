"""The keyword index follows the database, and catches up after crashes."""

from __future__ import annotations

import json
import multiprocessing.context
import shutil
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from papertide import app as app_module
from papertide.app import Papertide
from papertide.search import follower
from papertide.search.base import IndexState
from papertide.search.follower import indexing_in_process
from papertide.search.query import parse_query
from papertide.search.sync import indexing_alongside
from papertide.search.tantivy_index import STATE_FILE
from papertide.settings import Settings
from tests.helpers import FIXED_NOW, kaggle_row, make_record, open_test_app, write_jsonl
from tests.search.corpus import FILLER_COUNT, FILLER_WORD, PAPERS, write_corpus

CORPUS_SIZE = len(PAPERS) + FILLER_COUNT


def _state_file(app: Papertide) -> Path:
    return app.settings.search_index_dir / STATE_FILE


def _total(app: Papertide, text: str) -> int:
    return app.search(text, page_size=100).page.total


def _wait_until_found(app: Papertide, word: str, seconds: float) -> None:
    """Poll the keyword index until a follower has indexed the paper holding ``word``."""
    deadline = time.monotonic() + seconds
    while app.keyword_index.search(parse_query(word), 10).total == 0:
        assert time.monotonic() < deadline, f"the follower never indexed the paper ({word!r})"
        time.sleep(0.05)


def test_after_an_import_the_index_is_in_sync(app: Papertide, tmp_path: Path) -> None:
    app.import_files([write_corpus(tmp_path)])

    assert app.keyword_index.state() == IndexState(app.store.instance_id,
                                                   app.store.max_change_seq())
    assert _total(app, FILLER_WORD) == FILLER_COUNT
    report = app.sync_search_index()
    assert (report.indexed, report.rebuilt) == (0, False)


def test_a_changed_paper_is_found_by_its_new_words_only(app: Papertide, tmp_path: Path) -> None:
    app.import_files([write_corpus(tmp_path)])
    revised = kaggle_row("2501.00107", "Star formation in barred galaxies", versions=(
        "2025-03-05T10:00:00Z", "2025-06-02T10:00:00Z"))
    app.import_files([write_jsonl(tmp_path / "revised.jsonl", [revised])])

    assert [p.arxiv_id for p in app.search("barred").page.papers] == ["2501.00107"]
    assert _total(app, "spiral") == 0
    assert _total(app, "galaxies") == 1


@pytest.mark.sqlite_only  # about tantivy's files in the data folder
def test_a_deleted_index_folder_is_rebuilt(data_dir: Path, tmp_path: Path) -> None:
    first = open_test_app(data_dir)
    first.import_files([write_corpus(tmp_path)])
    index_dir = first.settings.search_index_dir
    first.close()
    shutil.rmtree(index_dir)

    second = open_test_app(data_dir)
    try:
        assert _total(second, FILLER_WORD) == 0  # nothing indexed yet
        report = second.sync_search_index()
        assert report.rebuilt
        assert report.indexed == CORPUS_SIZE
        assert _total(second, FILLER_WORD) == FILLER_COUNT
        assert [p.arxiv_id for p in second.search("galaxies").page.papers] == ["2501.00107"]
    finally:
        second.close()


@pytest.mark.sqlite_only
def test_an_index_of_another_database_is_rebuilt(data_dir: Path, tmp_path: Path) -> None:
    first = open_test_app(data_dir)
    first.import_files([write_corpus(tmp_path)])
    database = data_dir / "papertide.db"
    assert database.exists()
    first.close()
    for leftover in data_dir.glob("papertide.db*"):
        leftover.unlink()
    assert not database.exists()

    # A new, different database beside the old index: the old documents must go.
    second = open_test_app(data_dir)
    try:
        report = second.import_files([write_jsonl(tmp_path / "one.jsonl", [
            kaggle_row("2502.00001", "Dark matter in dwarf galaxies")])])
        assert report.counts.new == 1
        assert _total(second, FILLER_WORD) == 0
        assert [p.arxiv_id for p in second.search("galaxies").page.papers] == ["2502.00001"]
        assert second.keyword_index.state() == IndexState(second.store.instance_id,
                                                          second.store.max_change_seq())
    finally:
        second.close()


@pytest.mark.sqlite_only  # about tantivy's files in the data folder
def test_a_state_file_naming_another_database_makes_a_rebuild(
    app: Papertide, tmp_path: Path
) -> None:
    app.import_files([write_corpus(tmp_path)])
    state = json.loads(_state_file(app).read_text(encoding="utf-8"))
    state["instance_id"] = "0" * 32
    _state_file(app).write_text(json.dumps(state), encoding="utf-8")

    report = app.sync_search_index()

    assert report.rebuilt
    assert report.indexed == CORPUS_SIZE
    assert _total(app, FILLER_WORD) == FILLER_COUNT
    assert app.keyword_index.state() == IndexState(app.store.instance_id,
                                                   app.store.max_change_seq())


def test_an_index_behind_the_database_catches_up_without_duplicates(
    data_dir: Path, tmp_path: Path
) -> None:
    first = open_test_app(data_dir)
    first.import_files([write_corpus(tmp_path)])
    # A crash between the database commit and the index commit: the papers are
    # stored, the index never heard of them.
    first.store.upsert_papers(
        [make_record(f"2503.{n:05d}", f"Unindexed {FILLER_WORD} {n}") for n in range(1, 8)]
        + [make_record("2504.00001", f"Study 1 of a {FILLER_WORD} suite, revised",
                       version_count=3)],
        FIXED_NOW,
    )
    first.close()

    second = open_test_app(data_dir)
    try:
        assert _total(second, "unindexed") == 0
        report = second.sync_search_index()
        assert (report.indexed, report.rebuilt) == (8, False)
        assert _total(second, "unindexed") == 7
        assert _total(second, FILLER_WORD) == FILLER_COUNT + 7
        assert _total(second, "revised") == 1
    finally:
        second.close()


@pytest.mark.sqlite_only  # about tantivy's files in the data folder
def test_replaying_changes_the_index_already_holds_duplicates_nothing(
    app: Papertide, tmp_path: Path
) -> None:
    app.import_files([write_corpus(tmp_path)])
    # The index committed its documents but died before recording how far it got.
    state = json.loads(_state_file(app).read_text(encoding="utf-8"))
    state["change_seq"] = 3
    _state_file(app).write_text(json.dumps(state), encoding="utf-8")

    report = app.sync_search_index()

    assert (report.indexed, report.rebuilt) == (CORPUS_SIZE - 3, False)
    assert _total(app, FILLER_WORD) == FILLER_COUNT
    assert _total(app, "galaxies") == 1


@pytest.mark.sqlite_only  # about tantivy's files in the data folder
def test_an_unreadable_state_file_makes_a_rebuild(app: Papertide, tmp_path: Path) -> None:
    app.import_files([write_corpus(tmp_path)])
    _state_file(app).write_text("{half a json", encoding="utf-8")

    report = app.sync_search_index()

    assert report.rebuilt
    assert _total(app, FILLER_WORD) == FILLER_COUNT


def test_papers_written_during_an_import_are_indexed_before_it_ends(app: Papertide) -> None:
    """The follower indexes committed batches while the writer goes on (a second core's work)."""
    with indexing_alongside(app.store, app.keyword_index, pause_seconds=0.05):
        app.store.upsert_papers([make_record("2501.00001", "Quokka census methods")], FIXED_NOW)
        _wait_until_found(app, "quokka", seconds=10)
    assert app.keyword_index.state() == IndexState(app.store.instance_id,
                                                   app.store.max_change_seq())


def test_a_second_process_indexes_a_large_import_while_it_is_stored(app: Papertide) -> None:
    """The process follower (large imports) indexes committed papers before the import ends."""
    with indexing_in_process(app.settings):
        app.store.upsert_papers([make_record("2501.00002", "Wombat burrow acoustics")], FIXED_NOW)
        _wait_until_found(app, "wombat", seconds=60)  # a process takes a moment to start
    assert app.keyword_index.state() == IndexState(app.store.instance_id,
                                                   app.store.max_change_seq())
    report = app.sync_search_index()
    assert report.indexed == 0


def test_a_large_import_is_indexed_by_a_second_process(
    app: Papertide, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(follower, "FOLLOWER_PROCESS_BYTES", 1)
    started: list[int] = []
    real = follower.indexing_in_process

    def counting(settings: Settings) -> AbstractContextManager[None]:
        started.append(1)
        return real(settings)

    monkeypatch.setattr(app_module, "indexing_in_process", counting)
    app.import_files([write_corpus(tmp_path)])
    assert started == [1]
    assert _total(app, FILLER_WORD) == FILLER_COUNT
    assert app.keyword_index.state() == IndexState(app.store.instance_id,
                                                   app.store.max_change_seq())


def test_only_large_files_are_worth_a_process(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_bytes(b"x" * 1000)
    assert not follower.worth_a_process([small])
    assert not follower.worth_a_process([tmp_path / "missing.jsonl"])
    large = tmp_path / "large.jsonl"
    with large.open("wb") as handle:
        handle.truncate(follower.FOLLOWER_PROCESS_BYTES)
    assert follower.worth_a_process([large])


def test_where_no_process_can_start_the_import_is_still_indexed(
    app: Papertide, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(follower, "FOLLOWER_PROCESS_BYTES", 1)

    def refuse(_process: object) -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    app.import_files([write_corpus(tmp_path)])
    assert _total(app, FILLER_WORD) == FILLER_COUNT
