"""Run the jobs on their schedules, each in its own thread, until told to stop.

A job runs when one of its scheduled times has passed since its last successful
start, so a worker that was down catches up once on start (like anacron). A run
that fails, or finds the same source already running elsewhere, is tried again
after a pause. Jobs of different sources run side by side (Hugging Face need not
wait for a long harvest); arXiv requests still go one at a time through the
shared limiter, and two runs of one source never overlap (see ``locks``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence

from papertide.app import Papertide
from papertide.exceptions import PapertideError, RunBusyError
from papertide.ingest.jobs import Job, JobState, is_due, load_job_state, save_job_state
from papertide.ingest.run import RunCancelled
from papertide.ingest.runtime import Sources

log = logging.getLogger(__name__)

RETRY_AFTER_FAILURE = dt.timedelta(minutes=15)
# Wake at least this often, so clock changes and suspends are noticed.
MAX_SLEEP_SECONDS = 60.0
Clock = Callable[[], dt.datetime]


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scheduler:
    """One thread per enabled job; ``stop`` ends them after their current batch."""

    def __init__(
        self,
        service: Papertide,
        sources: Sources,
        jobs: Sequence[Job],
        stop: threading.Event,
        clock: Clock = wall_clock,
    ) -> None:
        self.service = service
        self.sources = sources
        self.jobs = list(jobs)
        self.stop = stop
        self.clock = clock
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for job in self.jobs:
            if job.schedule is None:
                log.info("%s: off (%s)", job.name, job.setting)
                continue
            log.info("%s: runs at '%s' (%s)", job.name, job.schedule.text, job.schedule.timezone)
            thread = threading.Thread(target=self._loop, args=(job,), daemon=True,
                                      name=f"papertide-{job.name}")
            thread.start()
            self._threads.append(thread)

    def join(self, timeout: float) -> None:
        deadline = self.clock() + dt.timedelta(seconds=timeout)
        for thread in self._threads:
            thread.join(max((deadline - self.clock()).total_seconds(), 0.0))

    def _loop(self, job: Job) -> None:
        retry_not_before: dt.datetime | None = None
        while not self.stop.is_set():
            now = self.clock()
            state = load_job_state(self.service.store, job.name)
            if is_due(job, state, now, retry_not_before):
                succeeded = self.run_job(job)
                retry_not_before = None if succeeded else now + RETRY_AFTER_FAILURE
                continue
            self.stop.wait(self._seconds_to_next(job, state, now, retry_not_before))

    def _seconds_to_next(self, job: Job, state: JobState, now: dt.datetime,
                         retry_not_before: dt.datetime | None) -> float:
        assert job.schedule is not None
        upcoming = job.schedule.next_after(state.last_success or now)
        if retry_not_before is not None:
            upcoming = max(upcoming, retry_not_before)
        return min(max((upcoming - now).total_seconds(), 0.5), MAX_SLEEP_SECONDS)

    def run_job(self, job: Job) -> bool:
        """Run ``job`` now; log its summaries; remember the outcome. True when it succeeded."""
        store = self.service.store
        started = self.clock()
        state = load_job_state(store, job.name)
        try:
            reports = job.action(self.service, self.sources, self.stop)
        except RunBusyError as busy:
            log.warning("%s: %s", job.name, busy)
            return False
        except RunCancelled as cancelled:
            log.info("%s", cancelled)
            return False
        except PapertideError as error:
            log.error("%s failed: %s", job.name, error)
            save_job_state(store, job.name, JobState(state.last_success_start,
                                                     started.isoformat(), str(error), None))
            return False
        except Exception:
            log.exception("%s failed unexpectedly", job.name)
            return False
        for report in reports:
            log.info("%s", report.summary())
        complete = all(report.complete for report in reports)
        summary = " | ".join(report.summary() for report in reports)
        if complete:
            save_job_state(store, job.name, JobState(started.isoformat(), started.isoformat(),
                                                     None, summary))
        else:
            save_job_state(store, job.name, JobState(state.last_success_start,
                                                     started.isoformat(), "incomplete", summary))
        return complete
