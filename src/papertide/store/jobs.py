"""Storage of the job queue that ``papertide worker`` processes share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from papertide.jobs.models import ClaimedJob, JobRecord, JobState, NewJob


class JobStore(Protocol):
    """Jobs waiting, running and finished; every change is one atomic, conditional update.

    Times that are compared (``now``, ``run_after``, lease ends) are unix
    seconds. Methods taking ``owner`` and ``fence`` (the claim's lease token,
    :attr:`ClaimedJob.fence`) change a job only while that claim still holds its
    lease, so a worker that lost its lease (it stalled, another worker or another
    of its own threads took the job over) changes nothing.
    """

    def enqueue_job(self, job: NewJob, now: float) -> int | None:
        """Add a job; ``None`` when its key exists (or, if asked, one of its kind waits)."""
        ...

    def claim_job(self, owner: str, now: float, lease_until: float,
                  ids: Sequence[int] | None = None, kinds: Sequence[str] | None = None
                  ) -> ClaimedJob | None:
        """Lease the oldest due job (only among ``ids``, ``kinds`` when given), or ``None``.

        Due: queued with ``run_after`` passed, or running under a lease that ran
        out (its worker died). A job whose lane has another job running is
        skipped; one out of attempts is marked failed instead of run.
        """
        ...

    def renew_job_lease(self, job_id: int, owner: str, lease_until: float, *, fence: int
                        ) -> bool:
        """The heartbeat: extend the lease; False when the job is no longer ours.

        It must not wait behind other writers where the engine allows (a late
        heartbeat loses the job): on PostgreSQL it takes no write lock.
        """
        ...

    def finish_job(self, job_id: int, owner: str, now: float, result: str, *, fence: int
                   ) -> bool:
        """Mark done with a one-line summary of what the run did."""
        ...

    def fail_job(self, job_id: int, owner: str, now: float, error: str,
                 retry_at: float | None, *, fence: int) -> bool:
        """A failed attempt: queued again for ``retry_at``, or failed for good when None."""
        ...

    def release_job(self, job_id: int, owner: str, run_after: float, note: str, *,
                    fence: int) -> bool:
        """Give a job back without counting the attempt (shutdown, its source busy)."""
        ...

    def get_job(self, job_id: int) -> JobRecord | None: ...

    def job_records(self, limit: int, states: Sequence[JobState] = (),
                    kinds: Sequence[str] = ()) -> list[JobRecord]:
        """The most recent jobs first, optionally only these states and kinds."""
        ...

    def job_counts(self) -> dict[str, int]:
        """Jobs per state."""
        ...

    def purge_jobs(self, finished_before: float) -> int:
        """Forget done and failed jobs finished before then; how many went."""
        ...
