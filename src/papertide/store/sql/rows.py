"""Converting between Paper objects and table rows (the same columns on every engine)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from papertide.models import Paper, PaperVersion

PAPER_COLUMNS = (
    "arxiv_id", "title", "abstract", "authors", "primary_category", "categories",
    "comments", "journal_ref", "doi", "license", "latest_version", "submitted_at",
    "updated_at", "announced_date", "announced_is_estimate", "first_stored_at",
    "last_changed_at", "change_seq",
)


def select_papers(json_rows: str) -> str:
    """``SELECT`` of the paper columns, then each paper's versions and sources as JSON
    (``json_rows``: the engine's aggregate): one statement, where a query for each
    would cost a PostgreSQL host two more round trips per page."""
    versions = json_rows.format(columns="version, submitted_at")
    sources = json_rows.format(columns="source")
    return (f"SELECT {', '.join(PAPER_COLUMNS)}, "
            f"(SELECT {versions} FROM paper_versions v WHERE v.arxiv_id = papers.arxiv_id), "
            f"(SELECT {sources} FROM paper_sources s WHERE s.arxiv_id = papers.arxiv_id) "
            "FROM papers")


def hydrated(row: Sequence[Any]) -> Paper:
    """A paper from a row of :func:`select_papers`."""
    versions = sorted((int(number), submitted) for number, submitted in json.loads(row[-2]))
    sources = sorted(str(source) for (source,) in json.loads(row[-1]))
    return paper_from_row(row, tuple(PaperVersion(number, unstamp(submitted))
                                     for number, submitted in versions), tuple(sources))


def stamp(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def unstamp(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def paper_row(paper: Paper) -> tuple[Any, ...]:
    return (
        paper.arxiv_id,
        paper.title,
        paper.abstract,
        json.dumps(list(paper.authors), ensure_ascii=False),
        paper.primary_category,
        json.dumps(list(paper.categories)),
        paper.comments,
        paper.journal_ref,
        paper.doi,
        paper.license,
        paper.latest_version,
        stamp(paper.submitted_at),
        stamp(paper.updated_at),
        paper.announced_date.isoformat() if paper.announced_date else None,
        int(paper.announced_is_estimate),
        stamp(paper.first_stored_at),
        stamp(paper.last_changed_at),
        paper.change_seq,
    )


def paper_from_row(
    row: Sequence[Any],
    versions: tuple[PaperVersion, ...],
    sources: tuple[str, ...],
) -> Paper:
    first_stored = unstamp(row[15])
    last_changed = unstamp(row[16])
    assert first_stored is not None and last_changed is not None
    return Paper(
        arxiv_id=row[0],
        title=row[1],
        abstract=row[2],
        authors=tuple(json.loads(row[3])),
        primary_category=row[4],
        categories=tuple(json.loads(row[5])),
        comments=row[6],
        journal_ref=row[7],
        doi=row[8],
        license=row[9],
        latest_version=row[10],
        versions=versions,
        submitted_at=unstamp(row[11]),
        updated_at=unstamp(row[12]),
        announced_date=day(row[13]),
        announced_is_estimate=bool(row[14]),
        sources=sources,
        first_stored_at=first_stored,
        last_changed_at=last_changed,
        change_seq=row[17],
    )
