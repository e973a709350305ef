"""Run one scheduled job now: log its summaries and remember its outcome.

When a job runs, and which worker runs it, is the job queue's business
(``papertide.jobs``); this module is the step they share with the tests: run
the job's action, log each report's summary, and keep what the last run did in
the meta table (``ingest.jobs.JobState``) for anyone asking when it last worked.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence

from papertide.app import Papertide
from papertide.exceptions import PapertideError, RunBusyError
from papertide.ingest.jobs import Job, JobState, load_job_state, save_job_state
from papertide.ingest.report import IngestReport
from papertide.ingest.run import RunCancelled
from papertide.ingest.runtime import Sources

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_job_now(service: Papertide, sources: Sources, job: Job,
                cancel: threading.Event | None, clock: Clock = wall_clock
                ) -> list[IngestReport]:
    """Run ``job``'s action and record the outcome; the action's errors propagate.

    RunBusyError (its source runs elsewhere) and RunCancelled leave the record as
    it was; another PapertideError is recorded as the last error.
    """
    store = service.store
    started = clock()
    state = load_job_state(store, job.name)
    try:
        reports = job.action(service, sources, cancel)
    except (RunBusyError, RunCancelled):
        raise
    except PapertideError as error:
        save_job_state(store, job.name, JobState(state.last_success_start,
                                                 started.isoformat(), str(error), None))
        raise
    summary = " | ".join(report.summary() for report in reports)
    if all(report.complete for report in reports):
        save_job_state(store, job.name, JobState(started.isoformat(), started.isoformat(),
                                                 None, summary))
    else:
        save_job_state(store, job.name, JobState(state.last_success_start,
                                                 started.isoformat(), "incomplete", summary))
    return reports


class Scheduler:
    """Runs jobs on demand with one set of sources; ``stop`` cancels a running one."""

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

    def run_job(self, job: Job) -> bool:
        """Run ``job`` now; log its summaries; remember the outcome. True when it succeeded."""
        try:
            reports = run_job_now(self.service, self.sources, job, self.stop, self.clock)
        except RunBusyError as busy:
            log.warning("%s: %s", job.name, busy)
            return False
        except RunCancelled as cancelled:
            log.info("%s", cancelled)
            return False
        except PapertideError as error:
            log.error("%s failed: %s", job.name, error)
            return False
        except Exception:
            log.exception("%s failed unexpectedly", job.name)
            return False
        for report in reports:
            log.info("%s", report.summary())
        return all(report.complete for report in reports)
