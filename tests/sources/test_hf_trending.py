"""The Hugging Face trending format of the bundled sample, on real lines of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papertide.models import PaperRecord
from papertide.sources.files import LineError, read_records
from tests.helpers import FIXED_NOW, HF_SAMPLE, hf_row, write_jsonl


def test_the_sample_reads_with_one_bad_line() -> None:
    items = list(read_records(HF_SAMPLE, FIXED_NOW, display_name="trending.jsonl.gz"))

    records = [item for item in items if isinstance(item, PaperRecord)]
    errors = [item for item in items if isinstance(item, LineError)]
    assert len(records) == 29
    assert len(errors) == 1
    # Line 11 is the feed's "Something is wrong" notice, published with no paper id.
    assert (errors[0].path, errors[0].line_number) == ("trending.jsonl.gz", 11)
    assert "paper_id" in errors[0].reason
    assert str(errors[0]).startswith("trending.jsonl.gz:11: ")


def test_first_seen_day_is_the_exact_announced_date() -> None:
    records = {item.arxiv_id: item for item in read_records(HF_SAMPLE, FIXED_NOW)
               if isinstance(item, PaperRecord)}

    first = records["2502.03997"]
    assert first.title.startswith("CAD-Editor: A Locate-then-Infill Framework")
    assert first.announced_date == dt.date(2025, 2, 12)
    assert first.announced_is_estimate is False
    assert first.submitted_at == dt.datetime(2025, 2, 12, 4, 16, 28, tzinfo=dt.UTC)
    assert first.source == "hf-trending"
    assert first.authors == ()
    assert first.versions == ()
    assert records["2502.08524"].announced_date == dt.date(2025, 2, 13)
    assert records["2502.04223"].title.startswith("Éclair -- Extracting Content")
    assert all(record.abstract for record in records.values())


def test_first_seen_is_taken_as_a_utc_day(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "late.jsonl",
                       [hf_row(first_seen="2025-02-12T22:30:00-05:00")])
    (record,) = read_records(path, FIXED_NOW)
    assert isinstance(record, PaperRecord)
    assert record.announced_date == dt.date(2025, 2, 13)


def test_a_versioned_paper_id_is_stored_without_its_version(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "versioned.jsonl", [hf_row(paper_id="2502.01341v2")])
    (record,) = read_records(path, FIXED_NOW)
    assert isinstance(record, PaperRecord)
    assert record.arxiv_id == "2502.01341"


def test_only_the_authors_abstract_is_kept_from_the_scraped_text() -> None:
    source = Path(__file__).resolve().parents[1] / "data" / "hf_trending_ai_summary.jsonl"
    records = [item for item in read_records(source, FIXED_NOW) if isinstance(item, PaperRecord)]

    abstracts = {record.arxiv_id: record.abstract or "" for record in records}
    assert len(abstracts) == 2
    assert abstracts["2602.17807"].startswith("Existing online video segmentation models")
    toto = next(text for text in abstracts.values() if "Toto" in text)
    assert toto.startswith("We introduce Toto, a time series forecasting foundation model")
    for text in abstracts.values():
        assert "AI-generated summary" not in text
        assert not text.lower().startswith("abstract")


def test_a_word_starting_with_abstract_is_not_taken_for_the_heading(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "one.jsonl", [hf_row(abstract="Abstraction helps planning.")])
    [record] = [item for item in read_records(source, FIXED_NOW) if isinstance(item, PaperRecord)]
    assert record.abstract == "Abstraction helps planning."
