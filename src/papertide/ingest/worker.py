"""What ``papertide worker`` runs, and the worker thread ``papertide serve`` can start.

Both go through the job queue (``papertide.jobs``), so any number of workers,
and servers with ``--scheduler``, share the work without doing a job twice.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from papertide.app import Papertide
from papertide.exceptions import ConfigError
from papertide.ingest.runtime import opened_sources
from papertide.jobs.context import JobKind
from papertide.jobs.kinds import job_kinds
from papertide.jobs.worker import Worker
from papertide.settings import Settings

log = logging.getLogger(__name__)


class UnknownJobError(ConfigError):
    """A job was asked for by a name no job has."""


def select_jobs(settings: Settings, names: Sequence[str] = ()) -> list[JobKind]:
    """The scheduled jobs named (all when none), failing clearly on an unknown name."""
    scheduled = [kind for kind in job_kinds(settings).values() if kind.scheduled]
    if not names:
        return scheduled
    known = {kind.name: kind for kind in scheduled}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UnknownJobError(f"unknown job {', '.join(unknown)} (jobs: {', '.join(known)})")
    return [known[name] for name in dict.fromkeys(names)]


def run_jobs_once(service: Papertide, settings: Settings, jobs: Sequence[JobKind],
                  stop: threading.Event | None = None) -> bool:
    """Run each job now, and the jobs it leads to, then return. True when all succeeded."""
    with opened_sources(settings) as sources:
        worker = Worker(service, sources, job_kinds(settings), stop or threading.Event())
        return worker.run_once([job.name for job in jobs])


def run_worker(service: Papertide, settings: Settings, jobs: Sequence[JobKind],
               stop: threading.Event, only_chosen: bool = False) -> None:
    """Queue the jobs' schedules and run jobs from the queue until ``stop`` is set.

    With every schedule off the worker still runs what other processes queue
    (embedding, deliveries, papers readers asked for): an extra machine that only
    helps embed is such a worker. Jobs chosen by name with no schedule are a mistake.
    """
    if not any(job.schedule for job in jobs):
        if only_chosen:
            raise ConfigError("every schedule of the chosen jobs is off: nothing to run "
                              "(see the schedule_* settings)")
        logging.getLogger("papertide.jobs").info(
            "every schedule is off: running the jobs other processes queue")
    with opened_sources(settings) as sources:
        worker = Worker(service, sources, job_kinds(settings), stop,
                        only=[job.name for job in jobs] if only_chosen else None)
        worker.run()


@contextmanager
def background_scheduler(service: Papertide, settings: Settings, enabled: bool
                         ) -> Iterator[None]:
    """For ``papertide serve``: a worker in daemon threads while the body runs."""
    if not enabled:
        yield
        return
    ensure_log_output()
    stop = threading.Event()
    with opened_sources(settings) as sources:
        worker = Worker(service, sources, job_kinds(settings), stop)
        worker.start()
        try:
            yield
        finally:
            stop.set()
            worker.join()


def ensure_log_output(verbose: bool = True) -> None:
    """Show papertide's log lines (run summaries, retries) on stderr, once."""
    logger = logging.getLogger("papertide")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
