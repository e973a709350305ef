"""Import paper files into the store: batched, atomic, reporting bad lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from papertide.exceptions import ImportAbortedError
from papertide.models import PaperRecord, UpsertCounts
from papertide.sources.files import LineError, read_records
from papertide.sources.hf_front_page import read_snapshots
from papertide.store.base import Store

IMPORT_BATCH = 2_000
BatchCallback = Callable[[int], None]


@dataclass(slots=True)
class ImportReport:
    """What an import did, for the one-line summary and the error list."""

    counts: UpsertCounts = field(default_factory=UpsertCounts)
    errors: list[LineError] = field(default_factory=list)
    files: int = 0
    cut_short: list[LineError] = field(default_factory=list)  # files that ended unreadable
    empty_files: list[str] = field(default_factory=list)  # nothing but blank lines
    notes: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return (
            f"{self.counts.new:,} new, {self.counts.updated:,} updated, "
            f"{self.counts.unchanged:,} unchanged, {self.skipped:,} skipped "
            f"({self.files} file{'s' if self.files != 1 else ''})"
        ) + "".join(f"; {note}" for note in self.notes)


def import_files(
    store: Store,
    paths: Sequence[Path],
    now: dt.datetime,
    strict: bool = False,
    on_batch: BatchCallback | None = None,
    display_names: Sequence[str] | None = None,
) -> ImportReport:
    """Read every file and merge its records; see ``store.merge`` for the rules.

    Non-strict: each batch of records is one transaction and bad lines are
    skipped and reported. Strict: the whole import is one transaction and the
    first bad line aborts it, leaving the database exactly as before.
    """
    report = ImportReport()
    names = list(display_names) if display_names else [str(path) for path in paths]
    items = _all_items(paths, names, now, report)
    if strict:
        with store.transaction():
            for batch in _batches(items, report, strict=True):
                report.counts += store.upsert_papers(batch, now)
                if on_batch:
                    on_batch(len(batch))
        return report
    for batch in _batches(items, report, strict=False):
        report.counts += store.upsert_papers(batch, now)
        if on_batch:
            on_batch(len(batch))
    return report


def _all_items(
    paths: Sequence[Path], names: Sequence[str], now: dt.datetime, report: ImportReport
) -> Iterator[PaperRecord | LineError]:
    for path, name in zip(paths, names, strict=True):
        report.files += 1
        items = 0
        for item in read_records(path, now, display_name=name):
            items += 1
            yield item
        if items == 0:
            report.empty_files.append(name)


def _batches(
    items: Iterable[PaperRecord | LineError], report: ImportReport, strict: bool
) -> Iterator[list[PaperRecord]]:
    batch: list[PaperRecord] = []
    for item in items:
        if isinstance(item, LineError):
            if strict:
                raise ImportAbortedError(f"{item}; nothing was imported (--strict)")
            report.errors.append(item)
            if item.ends_file:
                report.cut_short.append(item)
            continue
        batch.append(item)
        if len(batch) >= IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def import_front_page_snapshots(store: Store, path: Path, now: dt.datetime, marker: str) -> int:
    """Store the sightings of recorded HF front-page snapshots once; returns how many.

    Observations are append-only, so a second import would count every sighting
    twice: the file is recorded under ``marker`` in the same transaction, and a
    file already recorded adds nothing. A bad line aborts the whole file. Papers
    not in the store are left out (a sighting belongs to a stored paper).
    """
    key = f"imported.front_page:{marker}"
    with store.transaction():
        if store.get_meta(key) is not None:
            return 0
        added = 0
        for sightings in read_snapshots(path, now):
            known = store.announced_dates([sighting.arxiv_id for sighting in sightings])
            added += store.add_observations(s for s in sightings if s.arxiv_id in known)
        store.set_meta(key, now.isoformat())
    return added
