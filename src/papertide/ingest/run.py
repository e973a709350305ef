"""One ingest run: its lease, its report, and batches that land whole or not at all.

Every batch is one transaction holding the papers, their observations, the
run's resumable state and the renewed lease, so a crash at any moment leaves
exactly the batches already committed, and the next run starts after them.
After the run the keyword index is brought up to date so new papers are
searchable at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from papertide.app import Papertide
from papertide.exceptions import PapertideError
from papertide.ingest.report import IngestReport
from papertide.ingest.runtime import Sources
from papertide.models import Observation, PaperRecord, UpsertCounts
from papertide.sources.skipped import Skipped
from papertide.store.run_leases import RunLease, acquire_lease

log = logging.getLogger(__name__)

# (records handled so far, records expected in all or None when unknown)
Progress = Callable[[int, int | None], None]


class RunCancelled(Exception):
    """The worker is shutting down; the run stopped after its last committed batch."""


class Run:
    """Handed to a source's run function by :func:`ingest_run`."""

    def __init__(
        self,
        service: Papertide,
        sources: Sources,
        report: IngestReport,
        lease: RunLease,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.service = service
        self.sources = sources
        self.report = report
        self.lease = lease
        self._progress = progress
        self._cancel = cancel
        self.handled = 0

    @property
    def now(self) -> dt.datetime:
        return self.service.clock()

    def store(
        self,
        *groups: Sequence[PaperRecord],
        observations: Sequence[Observation] = (),
        meta: Mapping[str, str] | None = None,
    ) -> UpsertCounts:
        """Write one batch atomically; groups are applied in order (each keeps its source)."""
        store = self.service.store
        now = self.now
        with store.transaction():
            if len(groups) == 1:
                counts = store.upsert_papers(groups[0], now)
            else:
                counts = self._upsert_groups(groups, now)
            added = store.add_observations(observations) if observations else 0
            for key, value in (meta or {}).items():
                store.set_meta(key, value)
            self.lease.renew()
        self.report.counts += counts
        self.report.observations += added
        if self._cancel is not None and self._cancel.is_set():
            raise RunCancelled(f"{self.report.source}: stopped after the last stored batch")
        return counts

    def _upsert_groups(self, groups: Sequence[Sequence[PaperRecord]], now: dt.datetime
                       ) -> UpsertCounts:
        """Count each paper once although several groups may touch it."""
        store = self.service.store
        ids = list(dict.fromkeys(record.arxiv_id for group in groups for record in group))
        before = {arxiv_id: paper.change_seq for arxiv_id, paper in store.get_papers(ids).items()}
        for group in groups:
            if group:
                store.upsert_papers(group, now)
        after = store.get_papers(ids)
        new = sum(arxiv_id not in before for arxiv_id in ids)
        updated = sum(arxiv_id in before and after[arxiv_id].change_seq != before[arxiv_id]
                      for arxiv_id in ids)
        return UpsertCounts(new=new, updated=updated, unchanged=len(ids) - new - updated)

    def skip(self, items: Iterable[Skipped]) -> None:
        self.report.skipped.extend(items)

    def note(self, text: str) -> None:
        log.info("%s: %s", self.report.source, text)
        self.report.notes.append(text)

    def stop_early(self, reason: str) -> None:
        self.report.complete = False
        self.note(reason)

    def sync_index(self) -> None:
        """Make what is stored so far searchable (long harvests do it now and then)."""
        _sync_index(self.service, self.sources, self.report)

    def advance(self, handled: int, expected: int | None = None) -> None:
        self.handled += handled
        if self._progress is not None:
            self._progress(self.handled, expected)


@contextmanager
def ingest_run(
    service: Papertide,
    sources: Sources,
    source: str,
    scope: str = "",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Run]:
    """Hold ``source``'s lease for the run, then sync the search index and finish the report."""
    lease = acquire_lease(service.store, source)
    report = IngestReport(source, scope)
    started = time.monotonic()
    requests_before = sources.requests_sent()
    run = Run(service, sources, report, lease, progress, cancel)
    try:
        yield run
    except BaseException as error:
        if report.counts != UpsertCounts() and not isinstance(error, RunCancelled):
            log.warning("%s: stopped by an error after storing what it had: %s", source,
                        _finish(report, sources, requests_before, started).summary())
        raise
    finally:
        try:
            _sync_index(service, sources, report)
        finally:
            lease.release()
            _finish(report, sources, requests_before, started)


def _finish(report: IngestReport, sources: Sources, requests_before: int, started: float
            ) -> IngestReport:
    report.requests = sources.requests_sent() - requests_before
    report.seconds = time.monotonic() - started
    return report


def _sync_index(service: Papertide, sources: Sources, report: IngestReport) -> None:
    try:
        with sources.sync_lock:
            service.sync_search_index()
    except PapertideError as error:
        report.notes.append(f"the search index was not updated ({error}); the next run or "
                            "`papertide reindex` catches up")
        log.warning("%s: the search index was not updated: %s", report.source, error)
