"""Pure rules for merging a source's record into the stored paper.

Rules, in words:
- a record with a newer version replaces the descriptive fields it has, and
  the version history grows; an older or equal version only fills gaps;
- a real listing date beats an estimated one; otherwise the earliest wins;
- sources accumulate;
- if nothing changes, the result is ``None`` so nothing is written
  (re-importing the same file is a no-op).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

from papertide.models import Paper, PaperRecord, PaperVersion

_DESCRIPTIVE = (
    "title", "abstract", "authors", "primary_category", "categories",
    "comments", "journal_ref", "doi", "license",
)


def paper_from_record(record: PaperRecord, now: dt.datetime) -> Paper:
    return Paper(
        arxiv_id=record.arxiv_id,
        title=record.title,
        abstract=record.abstract,
        authors=record.authors,
        primary_category=record.primary_category,
        categories=record.categories,
        comments=record.comments,
        journal_ref=record.journal_ref,
        doi=record.doi,
        license=record.license,
        latest_version=record.latest_version,
        versions=record.versions,
        submitted_at=record.submitted_at,
        updated_at=record.updated_at,
        announced_date=record.announced_date,
        announced_is_estimate=record.announced_is_estimate,
        sources=(record.source,),
        first_stored_at=now,
        last_changed_at=now,
    )


def merge_record(existing: Paper | None, record: PaperRecord, now: dt.datetime) -> Paper | None:
    """The paper after ``record`` is applied, or ``None`` if it changes nothing."""
    if existing is None:
        return paper_from_record(record, now)
    incoming_version = record.latest_version
    is_newer = incoming_version is not None and (
        existing.latest_version is None or incoming_version > existing.latest_version
    )
    changes: dict[str, object] = {}
    for name in _DESCRIPTIVE:
        current, offered = getattr(existing, name), getattr(record, name)
        if offered in (None, "", ()):
            continue
        if (is_newer and offered != current) or current in (None, "", ()):
            changes[name] = offered
    versions = _merge_versions(existing.versions, record.versions)
    if versions != existing.versions:
        changes["versions"] = versions
        changes["latest_version"] = versions[-1].version if versions else None
    submitted = _first_submission(versions) or existing.submitted_at or record.submitted_at
    if submitted != existing.submitted_at:
        changes["submitted_at"] = submitted
    updated = _latest(existing.updated_at, record.updated_at)
    if updated != existing.updated_at:
        changes["updated_at"] = updated
    announced = _better_announcement(
        (existing.announced_date, existing.announced_is_estimate),
        (record.announced_date, record.announced_is_estimate),
    )
    if announced != (existing.announced_date, existing.announced_is_estimate):
        changes["announced_date"], changes["announced_is_estimate"] = announced
    if record.source not in existing.sources:
        changes["sources"] = tuple(sorted({*existing.sources, record.source}))
    if not changes:
        return None
    return replace(existing, **changes, last_changed_at=now)  # type: ignore[arg-type]


def merge_batch(
    existing: Mapping[str, Paper], records: Iterable[PaperRecord], now: dt.datetime
) -> dict[str, Paper]:
    """The papers a batch changes, records applied in order (several may share an id).

    Applying them one by one, rather than folding records first, keeps every
    record's source, and gives what importing them one at a time would.
    """
    changed: dict[str, Paper] = {}
    for record in records:
        current = changed.get(record.arxiv_id) or existing.get(record.arxiv_id)
        merged = merge_record(current, record, now)
        if merged is not None:
            changed[record.arxiv_id] = merged
    return changed


def _merge_versions(
    known: tuple[PaperVersion, ...], offered: tuple[PaperVersion, ...]
) -> tuple[PaperVersion, ...]:
    by_number = {version.version: version for version in known}
    for version in offered:
        current = by_number.get(version.version)
        if current is None or (current.submitted is None and version.submitted is not None):
            by_number[version.version] = version
    return tuple(by_number[number] for number in sorted(by_number))


def _first_submission(versions: tuple[PaperVersion, ...]) -> dt.datetime | None:
    return versions[0].submitted if versions and versions[0].version == 1 else None


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _better_announcement(
    current: tuple[dt.date | None, bool], offered: tuple[dt.date | None, bool]
) -> tuple[dt.date | None, bool]:
    """Exact beats estimated; between equals, the earlier date wins."""
    if offered[0] is None:
        return current
    if current[0] is None:
        return offered
    if current[1] != offered[1]:
        return offered if current[1] else current
    return offered if offered[0] < current[0] else current
