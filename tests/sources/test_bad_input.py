"""Bad input is reported with file and line, skipped, and never stops the rest."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from papertide.exceptions import InvalidInputError
from papertide.models import PaperRecord
from papertide.sources.files import MAX_LINE_BYTES, LineError, read_records
from tests.helpers import FIXED_NOW, hf_row, kaggle_row

GOOD_BEFORE = json.dumps(kaggle_row("2501.00001", "Good before"))
GOOD_AFTER = json.dumps(hf_row("2501.00002", "Good after"))


def _read(path: Path) -> tuple[list[PaperRecord], list[LineError]]:
    items = list(read_records(path, FIXED_NOW))
    return ([item for item in items if isinstance(item, PaperRecord)],
            [item for item in items if isinstance(item, LineError)])


def _between_good_lines(tmp_path: Path, bad_line: str) -> tuple[list[PaperRecord], LineError]:
    path = tmp_path / "input.jsonl"
    path.write_text(f"{GOOD_BEFORE}\n\n{bad_line}\n{GOOD_AFTER}\n", encoding="utf-8")
    records, errors = _read(path)
    assert [record.title for record in records] == ["Good before", "Good after"]
    assert len(errors) == 1
    assert errors[0].path == str(path)
    assert errors[0].line_number == 3  # blank lines count, as in an editor
    return records, errors[0]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ('{"id": "2501.00003", "title": ', "not JSON"),
        ("not json at all", "not JSON"),
        ('[{"id": "2501.00003", "title": "In a list"}]', "not a JSON object"),
        ('"just a string"', "not a JSON object"),
        (json.dumps(kaggle_row(None)), "missing 'id'"),
        (json.dumps(kaggle_row("")), "missing 'id'"),
        (json.dumps(hf_row(None)), "missing 'paper_id'"),
        (json.dumps(kaggle_row("not-an-id")), "not an arXiv identifier"),
        (json.dumps(kaggle_row("2501.1")), "not an arXiv identifier"),
        (json.dumps({k: v for k, v in kaggle_row().items() if k != "title"}), "title"),
        (json.dumps(kaggle_row(title="   \n ")), "title"),
        (json.dumps(hf_row(title="")), "title"),
        (json.dumps(kaggle_row(versions=["Mon, 1 Jan 1990 10:00:00 GMT"])), "before arXiv"),
        (json.dumps(hf_row(first_seen="1985-06-01T00:00:00+00:00")), "before arXiv"),
        (json.dumps(hf_row(first_seen="2027-06-01T00:00:00+00:00")), "future"),
        (json.dumps(kaggle_row(versions=["Mon, 7 Jun 2027 10:00:00 GMT"])), "future"),
        (json.dumps(hf_row(first_seen="yesterday")), "not a date"),
        (json.dumps({"doi": "10.1000/1", "name": "unknown format"}), "unrecognised record"),
    ],
)
def test_a_bad_line_is_reported_and_skipped(tmp_path: Path, bad_line: str, reason: str) -> None:
    _, error = _between_good_lines(tmp_path, bad_line)
    assert reason in error.reason


def test_a_line_of_two_megabytes_is_skipped(tmp_path: Path) -> None:
    huge = json.dumps(kaggle_row("2501.00003", abstract="x" * 2_000_000))
    assert len(huge) > MAX_LINE_BYTES
    _, error = _between_good_lines(tmp_path, huge)
    assert "longer than" in error.reason


def test_invalid_utf8_costs_only_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    bad = json.dumps(kaggle_row("2501.00003", "Caf\u00e9"), ensure_ascii=False).encode("latin-1")
    path.write_bytes(f"{GOOD_BEFORE}\n\n".encode() + bad + f"\n{GOOD_AFTER}\n".encode())

    records, errors = _read(path)

    assert [record.title for record in records] == ["Good before", "Good after"]
    assert [(error.line_number, "UTF-8" in error.reason) for error in errors] == [(3, True)]


def test_a_byte_order_mark_at_the_start_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f"{GOOD_BEFORE}\n{GOOD_AFTER}\n".encode())
    records, errors = _read(path)
    assert errors == []
    assert len(records) == 2


def test_gzip_files_are_read_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "no-suffix"
    path.write_bytes(gzip.compress(f"{GOOD_BEFORE}\n{GOOD_AFTER}\n".encode()))
    records, errors = _read(path)
    assert errors == []
    assert [record.title for record in records] == ["Good before", "Good after"]


def test_a_truncated_gzip_file_keeps_what_was_readable(tmp_path: Path) -> None:
    lines = "".join(json.dumps(kaggle_row(f"2501.{n:05d}", f"Paper {n}")) + "\n"
                    for n in range(1, 201))
    whole = gzip.compress(lines.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])

    records, errors = _read(path)

    assert 0 < len(records) < 200
    assert [record.title for record in records] == [f"Paper {n}" for n in
                                                    range(1, len(records) + 1)]
    assert len(errors) == 1
    assert errors[0].line_number == len(records) + 1
    assert "unreadable" in errors[0].reason


def test_a_corrupt_gzip_file_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.jsonl.gz"
    data = bytearray(gzip.compress(f"{GOOD_BEFORE}\n".encode() * 50))
    data[30:60] = b"\x00" * 30
    path.write_bytes(bytes(data))
    _, errors = _read(path)
    assert len(errors) == 1
    assert errors[0].path == str(path)


def test_an_empty_file_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert _read(path) == ([], [])
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n\n", encoding="utf-8")
    assert _read(blank) == ([], [])


def test_a_folder_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="is a folder"):
        list(read_records(tmp_path, FIXED_NOW))


def test_a_missing_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    with pytest.raises(InvalidInputError, match="does not exist") as raised:
        list(read_records(missing, FIXED_NOW))
    assert "nowhere.jsonl" in str(raised.value)
