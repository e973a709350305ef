"""The merge rules on their own: records in, papers out, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from papertide.models import Paper, PaperVersion
from papertide.store.merge import merge_batch, merge_record, paper_from_record
from tests.helpers import FIXED_NOW, make_record, utc

LATER = FIXED_NOW + dt.timedelta(days=1)


def _stored(**fields: Any) -> Paper:
    return paper_from_record(make_record("2501.00001", **fields), FIXED_NOW)


def test_a_first_record_becomes_a_paper() -> None:
    record = make_record("2501.00001", "Title", version_count=2, source="arxiv-kaggle")
    paper = merge_record(None, record, FIXED_NOW)
    assert paper is not None
    assert (paper.title, paper.latest_version, paper.sources) == ("Title", 2, ("arxiv-kaggle",))
    assert paper.first_stored_at == paper.last_changed_at == FIXED_NOW


def test_the_same_record_again_changes_nothing() -> None:
    record = make_record("2501.00001", version_count=2, authors=("A",), doi="10.1/x")
    assert merge_record(paper_from_record(record, FIXED_NOW), record, LATER) is None


def test_a_newer_version_replaces_what_it_has_and_keeps_what_it_lacks() -> None:
    stored = _stored(title="v1 title", version_count=1, doi="10.1/x", comments="v1 comments")
    newer = make_record("2501.00001", "v2 title", version_count=2, abstract=None,
                        comments="v2 comments")
    merged = merge_record(stored, newer, LATER)
    assert merged is not None
    assert (merged.title, merged.comments) == ("v2 title", "v2 comments")
    assert merged.abstract == stored.abstract
    assert merged.doi == "10.1/x"
    assert merged.latest_version == 2
    assert (merged.first_stored_at, merged.last_changed_at) == (FIXED_NOW, LATER)


def test_an_older_or_equal_version_only_fills_gaps() -> None:
    stored = _stored(title="v2 title", version_count=2, doi=None, authors=())
    for count in (1, 2):
        older = make_record("2501.00001", "other title", version_count=count, doi="10.1/x",
                            authors=("Ada Lovelace",))
        merged = merge_record(stored, older, LATER)
        assert merged is not None
        assert merged.title == "v2 title"
        assert (merged.doi, merged.authors) == ("10.1/x", ("Ada Lovelace",))


def test_records_without_versions_never_overwrite() -> None:
    stored = _stored(title="Listed title", version_count=0)
    merged = merge_record(stored, make_record("2501.00001", "Trending title"), LATER)
    assert merged is None


def test_a_versioned_record_beats_one_without_versions() -> None:
    stored = _stored(title="Trending title", version_count=0)
    merged = merge_record(stored, make_record("2501.00001", "Listed title", version_count=1),
                          LATER)
    assert merged is not None
    assert merged.title == "Listed title"


def test_version_histories_are_united_and_fill_missing_dates() -> None:
    stored = replace(_stored(), versions=(PaperVersion(1, utc(2025, 1, 1)), PaperVersion(2, None)),
                     latest_version=2)
    offered = make_record("2501.00001", versions=(
        PaperVersion(2, utc(2025, 2, 1)), PaperVersion(4, utc(2025, 4, 1))))
    merged = merge_record(stored, offered, LATER)
    assert merged is not None
    assert merged.versions == (PaperVersion(1, utc(2025, 1, 1)), PaperVersion(2, utc(2025, 2, 1)),
                               PaperVersion(4, utc(2025, 4, 1)))
    assert merged.latest_version == 4
    assert merged.submitted_at == utc(2025, 1, 1)


def test_a_known_version_date_is_not_replaced() -> None:
    stored = _stored(version_count=1)
    offered = make_record("2501.00001", versions=(PaperVersion(1, utc(2030, 1, 1)),))
    assert merge_record(stored, offered, LATER) is None


def test_updated_at_only_moves_forward() -> None:
    stored = _stored(updated_at=utc(2025, 3, 1))
    assert merge_record(stored, make_record("2501.00001", updated_at=utc(2025, 2, 1)),
                        LATER) is None
    merged = merge_record(stored, make_record("2501.00001", updated_at=utc(2025, 4, 1)), LATER)
    assert merged is not None
    assert merged.updated_at == utc(2025, 4, 1)


def _announced(stored: tuple[dt.date | None, bool], offered: tuple[dt.date | None, bool]
               ) -> tuple[dt.date | None, bool]:
    paper = _stored(announced=stored[0], estimate=stored[1])
    merged = merge_record(paper, make_record("2501.00001", announced=offered[0],
                                             estimate=offered[1]), LATER) or paper
    return merged.announced_date, merged.announced_is_estimate


def test_announced_date_rules() -> None:
    jan6, jan7 = dt.date(2025, 1, 6), dt.date(2025, 1, 7)
    assert _announced((jan6, True), (jan7, False)) == (jan7, False)  # exact beats estimate
    assert _announced((jan7, False), (jan6, True)) == (jan7, False)  # estimate never wins
    assert _announced((jan7, True), (jan6, True)) == (jan6, True)  # else the earlier day
    assert _announced((jan7, False), (jan6, False)) == (jan6, False)
    assert _announced((jan6, False), (jan7, False)) == (jan6, False)
    assert _announced((jan6, True), (None, False)) == (jan6, True)  # nothing never wins
    assert _announced((None, False), (jan7, True)) == (jan7, True)


def test_sources_accumulate_without_repeats() -> None:
    stored = _stored(source="hf-trending")
    merged = merge_record(stored, make_record("2501.00001", source="arxiv-kaggle"), LATER)
    assert merged is not None
    assert sorted(merged.sources) == ["arxiv-kaggle", "hf-trending"]
    assert merge_record(merged, make_record("2501.00001", source="hf-trending"), LATER) is None


def test_a_batch_returns_only_changed_papers_and_applies_records_in_order() -> None:
    existing = {"2501.00001": _stored(source="hf-trending"), "2501.00002":
                paper_from_record(make_record("2501.00002"), FIXED_NOW)}
    records = [
        make_record("2501.00002"),  # unchanged
        make_record("2501.00001", "Listed", version_count=1, source="arxiv-kaggle"),
        make_record("2501.00003", "New", source="hf-trending"),
        make_record("2501.00003", "New, listed", version_count=1, source="arxiv-kaggle"),
    ]
    changed = merge_batch(existing, records, LATER)
    assert sorted(changed) == ["2501.00001", "2501.00003"]
    assert changed["2501.00001"].title == "Listed"
    assert sorted(changed["2501.00001"].sources) == ["arxiv-kaggle", "hf-trending"]
    assert changed["2501.00003"].title == "New, listed"
    assert sorted(changed["2501.00003"].sources) == ["arxiv-kaggle", "hf-trending"]
    assert existing["2501.00001"].title == "Paper 2501.00001"  # inputs are not modified
