"""One worker's side of the job queue: its owner id, leases, and retries with backoff.

Every worker process has an owner id (``host:pid:random``). A claimed job
carries that owner and a lease end; the heartbeat pushes the lease forward
while the job runs. A worker killed with ``kill -9`` stops renewing, and once
its lease has run out the next claim anywhere takes the job over (counting the
lost run as an attempt), so a job is never lost and never run by two live
workers at once. Times are wall-clock unix seconds: leases are about real
processes on real machines, whatever clock the service runs on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from papertide.jobs.models import ClaimedJob, NewJob
from papertide.processes import new_owner
from papertide.settings import Settings
from papertide.store.base import Store

MAX_BACKOFF_SECONDS = 2 * 3_600.0


def backoff_seconds(base: float, attempts: int) -> float:
    """``base`` after the first failed try, doubling, capped at 2 hours."""
    return float(min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS))


class JobQueue:
    """Queue, claim and settle jobs as one owner."""

    def __init__(self, store: Store, settings: Settings, owner: str | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.owner = owner or new_owner()
        self.wall = wall

    @property
    def lease_seconds(self) -> float:
        return self.settings.job_lease_seconds

    def enqueue(self, job: NewJob) -> int | None:
        """The new job's id; ``None`` when its key was queued before."""
        return self.store.enqueue_job(job, self.wall())

    def claim(self, ids: Sequence[int] | None = None, kinds: Sequence[str] | None = None
              ) -> ClaimedJob | None:
        now = self.wall()
        return self.store.claim_job(self.owner, now, now + self.lease_seconds, ids, kinds)

    def renew(self, job: ClaimedJob) -> bool:
        return self.store.renew_job_lease(job.id, self.owner, self.wall() + self.lease_seconds,
                                          fence=job.fence)

    def finish(self, job: ClaimedJob, summary: str) -> bool:
        return self.store.finish_job(job.id, self.owner, self.wall(), summary, fence=job.fence)

    def fail(self, job: ClaimedJob, error: str) -> bool:
        """A failed attempt: tried again after a backoff, or failed for good at the limit."""
        now = self.wall()
        retry_at = None if job.attempts >= job.max_attempts else \
            now + backoff_seconds(self.settings.job_retry_backoff, job.attempts)
        return self.store.fail_job(job.id, self.owner, now, error, retry_at, fence=job.fence)

    def release(self, job: ClaimedJob, note: str, delay: float = 0.0) -> bool:
        """Give the job back uncounted, for any worker to run after ``delay`` seconds."""
        return self.store.release_job(job.id, self.owner, self.wall() + delay, note,
                                      fence=job.fence)

    def purge(self) -> int:
        """Forget jobs finished more than ``job_keep_days`` ago."""
        return self.store.purge_jobs(self.wall() - self.settings.job_keep_days * 86_400.0)
