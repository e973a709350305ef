"""Read JSONL / JSONL.gz files of paper records, line by line.

Each line is parsed on its own: a bad line becomes a :class:`LineError`
with its file and line number, and reading goes on.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from papertide.exceptions import InvalidInputError, RecordError
from papertide.models import PaperRecord
from papertide.sources.hf_trending import looks_like_hf_trending, parse_hf_trending_record
from papertide.sources.kaggle import looks_like_kaggle, parse_kaggle_record

MAX_LINE_BYTES = 1_000_000
BLANK_CHUNK = 65_536
_BLANK = b" \t\r\n"
RecordParser = Callable[[dict[str, Any], dt.datetime], PaperRecord]


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one line of an input file was skipped; ``ends_file``: nothing after it could be
    read (the file is cut short or corrupt)."""

    path: str
    line_number: int
    reason: str
    ends_file: bool = False

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


class _Peekable(Protocol):
    def peek(self, size: int = ..., /) -> bytes: ...
    def read(self, size: int = ..., /) -> bytes: ...


def open_bytes(path: Path) -> BinaryIO:
    """Open plain or gzip-compressed data, judged by the magic bytes.

    Lines are decoded one by one (not by a text wrapper, which decodes ahead in
    blocks): a stray invalid byte then costs its own line, not the lines around it.
    """
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return cast(BinaryIO, gzip.open(path, "rb"))
        return path.open("rb")
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
    with open_bytes(path) as stream:
        line_number = 0
        while True:
            try:
                line_number += _skip_blank_lines(cast(_Peekable, stream))
                raw = stream.readline(MAX_LINE_BYTES + 1)
                if len(raw) > MAX_LINE_BYTES:
                    _skip_rest_of_line(stream)
            except (EOFError, OSError, zlib.error) as error:
                yield LineError(name, line_number + 1, f"unreadable data: {error}",
                                ends_file=True)
                return
            if not raw:
                return
            line_number += 1
            if len(raw) > MAX_LINE_BYTES:
                yield LineError(name, line_number, f"line longer than {MAX_LINE_BYTES} bytes")
                continue
            try:
                line = raw.decode("utf-8-sig" if line_number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield LineError(name, line_number, f"unreadable data: not UTF-8 text ({error})")
                continue
            if not line.strip():
                continue
            yield _parse_line(line, name, line_number, now)


def _skip_blank_lines(stream: _Peekable) -> int:
    """Pass over a run of blank lines a buffer at a time; how many line ends it held.

    Line by line, a file of nothing but newlines took minutes; whitespace at the
    start of a real line may go too (JSON does not mind) but its line is not counted.
    """
    skipped = 0
    while True:
        buffered = stream.peek(BLANK_CHUNK)
        run = len(buffered) - len(buffered.lstrip(_BLANK))
        if run == 0:
            return skipped
        skipped += buffered.count(b"\n", 0, run)
        stream.read(run)


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
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
