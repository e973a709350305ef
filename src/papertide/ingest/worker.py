"""What ``papertide worker`` runs, and the scheduler thread ``papertide serve`` can start."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from papertide.app import Papertide
from papertide.exceptions import ConfigError
from papertide.ingest.jobs import Job, all_jobs
from papertide.ingest.runtime import opened_sources
from papertide.ingest.scheduler import Scheduler
from papertide.settings import Settings

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 30.0


class UnknownJobError(ConfigError):
    """A job was asked for by a name no job has."""


def select_jobs(settings: Settings, names: Sequence[str] = ()) -> list[Job]:
    """The jobs named (all when none), failing clearly on an unknown name or bad schedule."""
    jobs = all_jobs(settings)
    if not names:
        return jobs
    known = {job.name: job for job in jobs}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UnknownJobError(f"unknown job {', '.join(unknown)} (jobs: {', '.join(known)})")
    return [known[name] for name in dict.fromkeys(names)]


def run_jobs_once(service: Papertide, settings: Settings, jobs: Sequence[Job]) -> bool:
    """Run each job now, one after the other (schedules ignored). True when all succeeded."""
    with opened_sources(settings) as sources:
        scheduler = Scheduler(service, sources, jobs, threading.Event())
        results = [scheduler.run_job(job) for job in jobs]
    return all(results)


def run_scheduled(service: Papertide, settings: Settings, jobs: Sequence[Job],
                  stop: threading.Event) -> None:
    """Run the jobs on their schedules until ``stop`` is set."""
    if not any(job.schedule for job in jobs):
        raise ConfigError("every schedule is off: nothing to run (see the schedule_* settings)")
    with opened_sources(settings) as sources:
        scheduler = Scheduler(service, sources, jobs, stop)
        scheduler.start()
        try:
            while not stop.wait(1.0):
                pass
        finally:
            stop.set()
            scheduler.join(STOP_TIMEOUT_SECONDS)


@contextmanager
def background_scheduler(service: Papertide, settings: Settings, enabled: bool
                         ) -> Iterator[None]:
    """For ``papertide serve``: the schedules in daemon threads while the body runs."""
    if not enabled:
        yield
        return
    jobs = select_jobs(settings)
    ensure_log_output()
    stop = threading.Event()
    with opened_sources(settings) as sources:
        scheduler = Scheduler(service, sources, jobs, stop)
        scheduler.start()
        try:
            yield
        finally:
            stop.set()
            scheduler.join(STOP_TIMEOUT_SECONDS)


def ensure_log_output(verbose: bool = True) -> None:
    """Show papertide's log lines (run summaries, retries) on stderr, once."""
    logger = logging.getLogger("papertide")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
