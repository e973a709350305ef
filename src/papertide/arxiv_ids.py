"""arXiv identifiers: recognise, split off the version, normalise.

Papers are keyed by the id without version: ``2502.01341`` (new style,
since April 2007) or ``hep-th/9901001`` (old style, archive/YYMMNNN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papertide.exceptions import InvalidPaperIdError

# ASCII only: ``\d`` alone would also take other scripts' digits (``２５０２.０１３４１``).
_NEW_STYLE = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<version>\d+))?", re.ASCII)
_OLD_STYLE = re.compile(
    r"(?P<base>[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v(?P<version>\d+))?", re.ASCII
)
_PREFIXES = ("arxiv:", "oai:arxiv.org:", "https://arxiv.org/abs/", "http://arxiv.org/abs/")
MAX_ID_LENGTH = 64


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An id split into the stable key and an optional version."""

    base: str
    version: int | None


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse ids as people and feeds write them (``arXiv:2502.01341v2`` too)."""
    candidate = text.strip()
    if not candidate or len(candidate) > MAX_ID_LENGTH:
        raise InvalidPaperIdError(f"{text[:MAX_ID_LENGTH]!r} is not an arXiv identifier")
    lowered = candidate.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            candidate = candidate[len(prefix):]
            break
    for pattern in (_NEW_STYLE, _OLD_STYLE):
        match = pattern.fullmatch(candidate)
        if match:
            version = match.group("version")
            return ArxivId(match.group("base"), int(version) if version else None)
    raise InvalidPaperIdError(
        f"{text[:MAX_ID_LENGTH]!r} is not an arXiv identifier "
        "(expected e.g. 2502.01341 or hep-th/9901001)"
    )


def normalise_arxiv_id(text: str) -> str:
    """The store key of an id: version dropped, prefixes removed."""
    return parse_arxiv_id(text).base
