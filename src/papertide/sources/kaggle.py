"""The Kaggle arXiv snapshot format (``arxiv-metadata-oai-snapshot.json``).

One JSON object a line with ``id, authors, title, abstract, categories,
versions[{version, created}], update_date`` and friends. It has no listing
date, so the announced date is estimated from the v1 submission time.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from papertide.exceptions import RecordError
from papertide.models import PaperRecord, PaperVersion
from papertide.sources.authors import parse_authors
from papertide.sources.calendar import estimated_announce_date
from papertide.sources.fields import (
    clean_text,
    optional_abstract,
    parse_day,
    parse_timestamp,
    required_id,
    required_title,
    split_categories,
)

SOURCE_NAME = "arxiv-kaggle"
_VERSION = re.compile(r"v?(\d{1,4})")


def looks_like_kaggle(row: dict[str, Any]) -> bool:
    return "id" in row and ("versions" in row or "update_date" in row or "categories" in row)


def parse_kaggle_record(row: dict[str, Any], now: dt.datetime) -> PaperRecord:
    arxiv_id = required_id(row.get("id"), "id")
    versions = _parse_versions(row.get("versions"), now)
    first = versions[0].submitted if versions else None
    authors = parse_authors(row.get("authors") or row.get("authors_parsed"))
    categories = split_categories(row.get("categories"))
    updated = parse_day(row.get("update_date"), "update_date", now)
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=required_title(row.get("title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(row.get("abstract")),
        authors=authors,
        primary_category=categories[0] if categories else None,
        categories=categories,
        comments=clean_text(row.get("comments")),
        journal_ref=clean_text(row.get("journal-ref")),
        doi=clean_text(row.get("doi")),
        license=clean_text(row.get("license")),
        versions=versions,
        submitted_at=first,
        updated_at=(dt.datetime.combine(updated, dt.time(), dt.UTC) if updated else
                    (versions[-1].submitted if versions else None)),
        announced_date=estimated_announce_date(first) if first else None,
        announced_is_estimate=True,
    )


def _parse_versions(value: Any, now: dt.datetime) -> tuple[PaperVersion, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError("'versions': expected a list")
    versions: dict[int, PaperVersion] = {}
    for item in value:
        if not isinstance(item, dict):
            raise RecordError("'versions': each entry must be an object")
        match = _VERSION.fullmatch(str(item.get("version", "")).strip())
        if not match:
            raise RecordError(f"'versions': {item.get('version')!r} is not a version like v2")
        number = int(match.group(1))
        versions[number] = PaperVersion(
            number, parse_timestamp(item.get("created"), "versions.created", now)
        )
    return tuple(versions[number] for number in sorted(versions))
