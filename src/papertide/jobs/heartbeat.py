"""Renew a running job's lease in the background, and cancel the job if it is lost."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from papertide.exceptions import PapertideError
from papertide.jobs.models import ClaimedJob
from papertide.jobs.queue import JobQueue

log = logging.getLogger(__name__)

# How often the thread looks at the worker's stop flag between renewals.
STOP_CHECK_SECONDS = 0.2


class Heartbeat:
    """``with Heartbeat(queue, job, cancel, stop):`` renews every third of the lease.

    ``cancel`` is set when the worker is stopping (``stop``) or a renewal finds
    the job no longer ours (we stalled past the lease and another worker took
    it over): the handler stops at its next safe point and records nothing.
    """

    def __init__(self, queue: JobQueue, job: ClaimedJob, cancel: threading.Event,
                 stop: threading.Event) -> None:
        self.queue = queue
        self.job = job
        self.cancel = cancel
        self.stop = stop
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"papertide-heartbeat-{job.id}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        interval = self.queue.lease_seconds / 3
        waited = 0.0
        while not self._done.wait(STOP_CHECK_SECONDS):
            if self.stop.is_set():
                self.cancel.set()
            waited += STOP_CHECK_SECONDS
            if waited < interval:
                continue
            waited = 0.0
            try:
                renewed = self.queue.renew(self.job)
            except PapertideError as error:  # the database is away: try again next beat
                log.warning("job %s: the lease could not be renewed: %s", self.job.id, error)
                continue
            if not renewed:
                self.lost = True
                self.cancel.set()
                log.warning("job %s (%s): lost its lease to another worker; stopping it",
                            self.job.id, self.job.key)
                return
