"""Read JSONL / JSONL.gz files of paper records, line by line.

Each line is parsed on its own: a bad line becomes a :class:`LineError`
with its file and line number, and reading goes on.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papertide.exceptions import InvalidInputError, RecordError
from papertide.models import PaperRecord
from papertide.sources.hf_trending import looks_like_hf_trending, parse_hf_trending_record
from papertide.sources.kaggle import looks_like_kaggle, parse_kaggle_record

MAX_LINE_BYTES = 1_000_000
RecordParser = Callable[[dict[str, Any], dt.datetime], PaperRecord]


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one line of an input file was skipped."""

    path: str
    line_number: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line_number}: {self.reason}"


def detect_parser(row: dict[str, Any]) -> RecordParser:
    """Pick the format from the keys; HF first since it has no ``id`` key."""
    if looks_like_hf_trending(row):
        return parse_hf_trending_record
    if looks_like_kaggle(row):
        return parse_kaggle_record
    raise RecordError(
        "unrecognised record: expected the Kaggle arXiv snapshot format (id, title, ...) "
        "or the HF trending format (paper_id, title, first_seen, ...)"
    )


def open_text(path: Path) -> io.TextIOBase:
    """Open plain or gzip-compressed UTF-8 text, judged by the magic bytes."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="strict")
        return path.open("r", encoding="utf-8", errors="strict")
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder, not a JSONL file") from None
    except FileNotFoundError:
        raise InvalidInputError(f"{path} does not exist") from None
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error.strerror or error}") from None


def read_records(
    path: Path, now: dt.datetime, display_name: str | None = None
) -> Iterator[PaperRecord | LineError]:
    """Yield a record or a LineError for every non-blank line of ``path``."""
    name = display_name or str(path)
    with open_text(path) as stream:
        line_number = 0
        while True:
            try:
                line = stream.readline(MAX_LINE_BYTES + 1)
            except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, OSError) as error:
                yield LineError(name, line_number + 1, f"unreadable data: {error}")
                return
            if not line:
                return
            line_number += 1
            if len(line) > MAX_LINE_BYTES:
                yield LineError(name, line_number, f"line longer than {MAX_LINE_BYTES} bytes")
                _skip_rest_of_line(stream)
                continue
            if not line.strip():
                continue
            yield _parse_line(line, name, line_number, now)


def _skip_rest_of_line(stream: io.TextIOBase) -> None:
    while True:
        chunk = stream.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith("\n"):
            return


def _parse_line(
    line: str, name: str, line_number: int, now: dt.datetime
) -> PaperRecord | LineError:
    try:
        row = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as error:
        return LineError(name, line_number, f"not JSON ({error})")
    if not isinstance(row, dict):
        return LineError(name, line_number, "not a JSON object")
    try:
        return detect_parser(row)(row, now)
    except RecordError as error:
        return LineError(name, line_number, str(error))
