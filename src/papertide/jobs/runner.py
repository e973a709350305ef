"""Run one claimed job under its heartbeat, and settle it in the queue.

- success: the jobs it leads to are queued (their keys follow from this job's,
  so a rerun queues nothing twice), then the job is marked done;
- a failure (an error, or a run that could not finish) is retried after a
  backoff, until ``max_attempts``; then it is marked failed with the error;
- a stop (shutdown, or the lease lost) or a busy source gives the job back
  without counting the attempt.

Jobs are written to be rerun: ingestion batches are idempotent upserts, an
issue is composed once per subscriber (the outbox's unique keys), and each
message goes out once (the outbox's leases). So a job taken over after its
worker died repeats nothing that had taken effect.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from papertide.exceptions import PapertideError
from papertide.ingest.run import RunCancelled
from papertide.jobs.context import JobContext, JobKind, Outcome, Postponed
from papertide.jobs.heartbeat import Heartbeat
from papertide.jobs.lease_keeper import LeaseKeeper
from papertide.jobs.models import ClaimedJob
from papertide.jobs.queue import JobQueue

if TYPE_CHECKING:
    from papertide.app import Papertide
    from papertide.ingest.runtime import Sources

log = logging.getLogger("papertide.jobs")

Settled = Literal["done", "retrying", "failed", "released", "lost"]


@dataclass(frozen=True, slots=True)
class RunResult:
    settled: Settled
    follow_up_ids: tuple[int, ...] = ()


class JobRunner:
    """Runs claimed jobs of the known kinds; ``stop`` cancels the running ones."""

    def __init__(self, service: Papertide, sources: Sources, queue: JobQueue,
                 kinds: Mapping[str, JobKind], stop: threading.Event,
                 postpone_busy: bool = True, keeper: LeaseKeeper | None = None,
                 shares_work: bool = True) -> None:
        self.service = service
        self.sources = sources
        self.queue = queue
        self.kinds = kinds
        self.stop = stop
        self.postpone_busy = postpone_busy
        self.keeper = keeper
        # Handlers may queue jobs for other workers to join in (not when running --once,
        # where nothing else may run them).
        self.shares_work = shares_work

    def run(self, job: ClaimedJob) -> RunResult:
        label = f"job {job.id} {job.key}"
        if job.taken_over_from:
            log.warning("%s: taken over from %s, whose lease ran out (attempt %d of %d)",
                        label, job.taken_over_from, job.attempts, job.max_attempts)
        kind = self.kinds.get(job.kind)
        if kind is None:
            self.queue.store.fail_job(job.id, self.queue.owner, self.queue.wall(),
                                      f"no job kind {job.kind!r} in this papertide", None,
                                      fence=job.fence)
            log.error("%s: unknown kind %r; marked failed", label, job.kind)
            return RunResult("failed")
        cancel = threading.Event()
        started = time.monotonic()
        with Heartbeat(self.queue, job, cancel, self.stop, self.keeper) as heartbeat:
            try:
                outcome: Outcome | None = kind.handler(
                    JobContext(self.service, self.sources, job, cancel,
                               self.queue.enqueue if self.shares_work else None))
                error = None
            except Postponed as busy:
                return self._postpone(job, label, str(busy))
            except RunCancelled:
                outcome, error = None, None
            except PapertideError as failure:
                outcome, error = None, str(failure)
            except Exception as failure:  # a bug: keep the worker alive, record it
                log.exception("%s failed unexpectedly", label)
                outcome, error = None, f"unexpected {type(failure).__name__}: {failure}"
        if heartbeat.lost:
            return RunResult("lost")
        if error is None and (outcome is None or cancel.is_set()):
            self.queue.release(job, "the worker stopped before finishing; to be run again")
            log.info("%s: stopped; given back to the queue", label)
            return RunResult("released")
        if outcome is not None and outcome.complete:
            return self._finish(job, label, outcome, time.monotonic() - started)
        return self._fail(job, label, error or f"incomplete: {outcome.summary if outcome else ''}")

    def _finish(self, job: ClaimedJob, label: str, outcome: Outcome, seconds: float
                ) -> RunResult:
        queued = [self.queue.enqueue(follow_up) for follow_up in outcome.follow_ups]
        if not self.queue.finish(job, outcome.summary):
            log.warning("%s: finished, but another worker had taken it over", label)
            return RunResult("lost")
        log.info("%s: done in %.1f s: %s", label, seconds, outcome.summary)
        return RunResult("done", tuple(job_id for job_id in queued if job_id is not None))

    def _fail(self, job: ClaimedJob, label: str, error: str) -> RunResult:
        self.queue.fail(job, error)
        if job.attempts >= job.max_attempts:
            log.error("%s failed for good after %d attempts: %s", label, job.attempts, error)
            return RunResult("failed")
        log.error("%s failed (attempt %d of %d; tried again later): %s", label, job.attempts,
                  job.max_attempts, error)
        return RunResult("retrying")

    def _postpone(self, job: ClaimedJob, label: str, reason: str) -> RunResult:
        if not self.postpone_busy:
            return self._fail(job, label, reason)
        log.warning("%s: %s; tried again later", label, reason)
        self.queue.release(job, reason, self.queue.settings.job_retry_backoff)
        return RunResult("released")
