"""The Hugging Face trending corpus format (bundled sample).

Fields: ``paper_id, title, abstract, date_published, first_seen, last_seen,
n_snapshots, best_rank``. ``first_seen`` (the day the paper reached the HF
front page) is used as the announced date; there are no authors or
categories in this format.
"""

from __future__ import annotations

import datetime as dt
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


def looks_like_hf_trending(row: dict[str, Any]) -> bool:
    return "paper_id" in row or "first_seen" in row


def parse_hf_trending_record(row: dict[str, Any], now: dt.datetime) -> PaperRecord:
    arxiv_id = required_id(row.get("paper_id"), "paper_id")
    published = parse_timestamp(row.get("date_published"), "date_published", now)
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=required_title(row.get("title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(row.get("abstract")),
        submitted_at=published,
        announced_date=parse_day(row.get("first_seen"), "first_seen", now),
        announced_is_estimate=False,
    )
