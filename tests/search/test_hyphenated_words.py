"""Hyphenated words: found however the papers write them, and an older index is rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide, SearchResults
from papertide.search.tantivy_index import STATE_FILE
from tests.helpers import data_dir_environment, kaggle_row, open_test_app, write_jsonl

HYPHENATED = "2502.00201"
SOLID = "2502.00202"
APART = "2502.00203"
SCATTERED = "2502.00204"
IN_TITLE = "2502.00205"
UNRELATED = "2502.00206"
PAPERS = (
    (HYPHENATED, "Prompting for classification",
     "A zero-shot classifier labels images it never saw."),
    (SOLID, "Prompting for retrieval", "Zeroshot retrieval of passages with a dense encoder."),
    (APART, "Prompting for parsing", "In the zero shot setting the parser still works."),
    (SCATTERED, "Counting with few examples",
     "From zero examples to one, a single shot of data helps."),
    (IN_TITLE, "Zero-shot detection of galaxies", "Detecting spiral arms in survey images."),
    (UNRELATED, "Sorting nearly sorted arrays", "Adaptive comparison sorts run fast."),
)


def write_papers(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_jsonl(folder / "hyphens.jsonl", [
        kaggle_row(arxiv_id, title, abstract=abstract) for arxiv_id, title, abstract in PAPERS
    ])


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papertide]:
    folder = tmp_path_factory.mktemp("hyphens")
    service = open_test_app(folder / "data")
    service.import_files([write_papers(folder)])
    yield service
    service.close()


def ids(results: SearchResults) -> list[str]:
    return [paper.arxiv_id for paper in results.page.papers]


def test_a_hyphenated_word_finds_it_hyphenated_solid_and_apart(searchable: Papertide) -> None:
    found = ids(searchable.search("zero-shot", page_size=10))
    assert set(found) == {HYPHENATED, SOLID, APART, SCATTERED, IN_TITLE}
    # the word as typed ranks first: in the title, then in an abstract
    assert found[:2] == [IN_TITLE, HYPHENATED]


def test_a_solid_word_finds_the_hyphenated_spelling(searchable: Papertide) -> None:
    assert set(ids(searchable.search("zeroshot"))) == {HYPHENATED, SOLID, IN_TITLE}
    assert set(ids(searchable.search("Zero-Shot,"))) == set(ids(searchable.search("zero-shot")))


def test_a_required_hyphenated_word_is_the_word_or_its_phrase(searchable: Papertide) -> None:
    found = set(ids(searchable.search("prompting +zero-shot")))
    assert found == {HYPHENATED, SOLID, APART, IN_TITLE}  # not the scattered words


def test_an_excluded_hyphenated_word_excludes_the_word_and_its_phrase(
    searchable: Papertide,
) -> None:
    assert set(ids(searchable.search("prompting -zero-shot"))) == set()
    assert set(ids(searchable.search("counting OR sorting -zero-shot"))) == {
        SCATTERED, UNRELATED}


def test_a_quoted_hyphenated_word_stays_a_phrase(searchable: Papertide) -> None:
    assert set(ids(searchable.search('"zero-shot"'))) == {HYPHENATED, APART, IN_TITLE}
    assert set(ids(searchable.search('"zero shot setting"'))) == {APART}


def test_the_total_counts_every_match(searchable: Papertide) -> None:
    results = searchable.search("zero-shot", page_size=2)
    assert results.page.total == 5
    second = searchable.search("zero-shot", page=2, page_size=2)
    third = searchable.search("zero-shot", page=3, page_size=2)
    assert sorted(ids(results) + ids(second) + ids(third)) == sorted(
        [HYPHENATED, SOLID, APART, SCATTERED, IN_TITLE])


def test_a_hyphenated_word_with_a_filter_still_needs_the_word(searchable: Papertide) -> None:
    assert set(ids(searchable.search("zero-shot cat:cs.LG"))) == {
        HYPHENATED, SOLID, APART, SCATTERED, IN_TITLE}
    assert ids(searchable.search("zero-shot cat:astro-ph")) == []


def _age_index(app: Papertide) -> None:
    """Make the index look written by schema 1, before hyphenated words were indexed solid."""
    state_file = app.settings.search_index_dir / STATE_FILE
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state_file.write_text(json.dumps(state | {"schema_version": 1}), encoding="utf-8")


@pytest.mark.sqlite_only  # about tantivy's files in the data folder
def test_an_index_of_an_older_schema_is_rebuilt_on_the_next_sync(
    data_dir: Path, tmp_path: Path,
) -> None:
    first = open_test_app(data_dir)
    first.import_files([write_papers(tmp_path)])
    _age_index(first)
    first.close()

    second = open_test_app(data_dir)
    try:
        assert second.search("zeroshot").page.total == 0  # the old documents are gone
        report = second.sync_search_index()
        assert report.rebuilt
        assert report.indexed == len(PAPERS)
        assert set(ids(second.search("zeroshot"))) == {HYPHENATED, SOLID, IN_TITLE}
    finally:
        second.close()


@pytest.mark.sqlite_only  # about tantivy's files in the data folder
def test_reindex_rebuilds_an_index_of_an_older_schema(data_dir: Path, tmp_path: Path) -> None:
    first = open_test_app(data_dir)
    first.import_files([write_papers(tmp_path)])
    _age_index(first)
    first.close()

    command = subprocess.run(
        [sys.executable, "-m", "papertide", "reindex", "--keyword-only"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, **data_dir_environment(data_dir)},
    )
    assert command.returncode == 0, command.stderr
    assert f"search index rebuilt: {len(PAPERS)} papers" in command.stdout

    after = open_test_app(data_dir)
    try:
        assert after.sync_search_index().indexed == 0  # nothing left to do
        assert set(ids(after.search("zeroshot"))) == {HYPHENATED, SOLID, IN_TITLE}
    finally:
        after.close()
