"""Importing files through the service: idempotent, atomic when strict, reported."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from papertide.app import Papertide
from papertide.exceptions import ImportAbortedError, InvalidInputError
from papertide.importing import IMPORT_BATCH, import_files
from papertide.models import UpsertCounts
from tests.helpers import (
    ABS_SAMPLE,
    FIXED_NOW,
    HF_SAMPLE,
    KAGGLE_SAMPLE,
    all_papers,
    hf_row,
    kaggle_row,
    open_test_app,
    write_jsonl,
)

SAMPLES = [KAGGLE_SAMPLE, ABS_SAMPLE, HF_SAMPLE]
# 30 + 30 + 29 good lines; 0704.0001 and 0704.0028 are in both arXiv samples.
DISTINCT_PAPERS = 87


def test_importing_the_samples(app: Papertide) -> None:
    batches: list[int] = []
    report = app.import_files(SAMPLES, on_batch=batches.append)

    assert report.counts == UpsertCounts(new=DISTINCT_PAPERS)
    assert report.files == 3
    assert [(error.path, error.line_number) for error in report.errors] == [(str(HF_SAMPLE), 11)]
    assert report.summary() == f"{DISTINCT_PAPERS} new, 0 updated, 0 unchanged, 1 skipped (3 files)"
    assert sum(batches) == 89
    assert app.store.count_papers() == DISTINCT_PAPERS
    assert app.paper("0704.0001").authors[0] == "C. Balázs"
    assert app.paper("acc-phys/9411001").title == "Symplectic Computation of Lyapunov Exponents"


def test_reimporting_changes_nothing(app: Papertide) -> None:
    app.import_files(SAMPLES)
    before = all_papers(app.store)
    seq = app.store.max_change_seq()

    later = import_files(app.store, SAMPLES, FIXED_NOW + dt.timedelta(days=3))

    assert later.counts == UpsertCounts(unchanged=DISTINCT_PAPERS)
    assert app.store.max_change_seq() == seq
    assert all_papers(app.store) == before


def test_the_same_paper_from_two_sources_is_merged(app: Papertide, tmp_path: Path) -> None:
    trending = write_jsonl(tmp_path / "hf.jsonl", [{
        "paper_id": "0704.0001", "title": "Calculation of prompt diphoton production",
        "abstract": None, "first_seen": "2007-04-05T10:00:00+00:00",
    }])
    app.import_files([KAGGLE_SAMPLE])
    report = app.import_files([trending])

    paper = app.paper("0704.0001")
    assert report.counts == UpsertCounts(updated=1)
    assert sorted(paper.sources) == ["arxiv-kaggle", "hf-trending"]
    # A real listing date beats the estimate, the richer arXiv record keeps its text.
    assert (paper.announced_date, paper.announced_is_estimate) == (dt.date(2007, 4, 5), False)
    assert paper.title.endswith("at Tevatron and LHC energies")
    assert paper.abstract is not None


def test_a_newer_version_updates_the_paper_and_keeps_its_history(
    app: Papertide, tmp_path: Path
) -> None:
    app.import_files([KAGGLE_SAMPLE])
    first = json.loads(KAGGLE_SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    first["title"] = "Prompt diphoton production, revised"
    first["versions"].append({"version": "v3", "created": "Mon, 7 Jan 2008 10:00:00 GMT"})
    revision = write_jsonl(tmp_path / "revision.jsonl", [first])

    report = app.import_files([revision])

    assert report.counts == UpsertCounts(updated=1)
    paper = app.paper("0704.0001")
    assert paper.title == "Prompt diphoton production, revised"
    assert paper.latest_version == 3
    assert [(v.version, v.submitted and v.submitted.date()) for v in paper.versions] == [
        (1, dt.date(2007, 4, 2)), (2, dt.date(2007, 7, 24)), (3, dt.date(2008, 1, 7))]
    assert paper.submitted_at == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=dt.UTC)
    assert paper.announced_date == dt.date(2007, 4, 4)


def test_a_strict_import_with_one_bad_line_changes_nothing(
    app: Papertide, tmp_path: Path
) -> None:
    app.import_files([KAGGLE_SAMPLE])
    before = all_papers(app.store)
    seq = app.store.max_change_seq()
    rows: list[dict[str, object] | str] = [
        kaggle_row(f"2503.{n:05d}", f"New paper {n}") for n in range(IMPORT_BATCH + 50)]
    rows.insert(10, kaggle_row("0704.0002", "A retitled v3", versions=(
        "Sat, 31 Mar 2007 02:26:18 GMT", "Tue, 1 May 2007 10:00:00 GMT",
        "Mon, 7 Jan 2008 10:00:00 GMT")))
    rows.append('{"id": "2503.99999", "title": "broken')
    path = write_jsonl(tmp_path / "mixed.jsonl", rows)

    with pytest.raises(ImportAbortedError) as raised:
        app.import_files([path], strict=True)

    assert f"mixed.jsonl:{len(rows)}" in str(raised.value)
    assert app.store.count_papers() == 30
    assert app.store.max_change_seq() == seq
    assert all_papers(app.store) == before


def test_a_lenient_import_skips_bad_lines_and_imports_the_rest(
    app: Papertide, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", [
        kaggle_row("2503.00001", "First"),
        "{not json",
        kaggle_row("2503.00002", "Second"),
        kaggle_row("2503.1", "Bad id"),
        kaggle_row("2503.00003", "Third"),
    ])

    report = app.import_files([path], display_names=["upload.jsonl"])

    assert report.counts == UpsertCounts(new=3)
    assert [str(error).split(": ")[0] for error in report.errors] == [
        "upload.jsonl:2", "upload.jsonl:4"]
    assert sorted(paper.title for paper in app.store.iter_all_papers()) == [
        "First", "Second", "Third"]


def test_a_missing_file_is_an_input_error(app: Papertide, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"missing\.jsonl"):
        app.import_files([KAGGLE_SAMPLE, tmp_path / "missing.jsonl"])


def test_files_imported_together_give_what_they_give_one_by_one(
    data_dir: Path, tmp_path: Path
) -> None:
    trending = write_jsonl(tmp_path / "hf.jsonl", [hf_row("2502.01341", "AlignVLM")])
    listed = write_jsonl(tmp_path / "arxiv.jsonl", [kaggle_row(
        "2502.01341", "AlignVLM: Bridging Vision and Language",
        versions=("2025-02-03T10:00:00Z",))])
    together = open_test_app(data_dir / "together")
    one_by_one = open_test_app(data_dir / "one-by-one")
    try:
        together.import_files([trending, listed])
        one_by_one.import_files([trending])
        one_by_one.import_files([listed])
        papers = [service.paper("2502.01341") for service in (together, one_by_one)]
    finally:
        together.close()
        one_by_one.close()

    assert sorted(papers[0].sources) == ["arxiv-kaggle", "hf-trending"]
    assert papers[0].authors == ("Ada Lovelace", "Alan Turing")
    for name in ("title", "authors", "versions", "announced_date", "announced_is_estimate",
                 "sources"):
        assert getattr(papers[0], name) == getattr(papers[1], name), name
