"""The Hugging Face trending corpus format (bundled sample).

Fields: ``paper_id, title, abstract, date_published, first_seen, last_seen,
n_snapshots, best_rank``. ``first_seen`` (the day the paper reached the HF
front page) is used as the announced date; there are no authors or
categories in this format.

The scraped ``abstract`` often starts with the page's "Abstract" heading and
HF's machine-written summary ("... AI-generated summary ..."); only the
authors' abstract after that marker is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from papertide.models import PaperRecord
from papertide.sources.fields import (
    optional_abstract,
    parse_day,
    parse_timestamp,
    required_id,
    required_title,
)

SOURCE_NAME = "hf-trending"
AI_SUMMARY_MARKER = "AI-generated summary"
_ABSTRACT_HEADING = re.compile(r"^\s*abstract\b[\s:.]*", re.IGNORECASE)


def authors_abstract(scraped: Any) -> Any:
    """The authors' abstract out of the scraped text (drops heading and AI summary)."""
    if not isinstance(scraped, str):
        return scraped
    text = scraped.rsplit(AI_SUMMARY_MARKER, 1)[-1]
    return _ABSTRACT_HEADING.sub("", text)


def looks_like_hf_trending(row: dict[str, Any]) -> bool:
    return "paper_id" in row or "first_seen" in row


def parse_hf_trending_record(row: dict[str, Any], now: dt.datetime) -> PaperRecord:
    arxiv_id = required_id(row.get("paper_id"), "paper_id")
    published = parse_timestamp(row.get("date_published"), "date_published", now)
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=required_title(row.get("title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(authors_abstract(row.get("abstract"))),
        submitted_at=published,
        announced_date=parse_day(row.get("first_seen"), "first_seen", now),
        announced_is_estimate=False,
    )
