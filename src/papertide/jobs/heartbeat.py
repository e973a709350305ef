"""Keep a running job's lease, and cancel the job if it is lost.

The lease is renewed by the worker's lease keeper process when there is one
(``jobs.lease_keeper``: renewals then never wait for this process's GIL or
locks), else by this thread. Either way the thread watches for the worker
stopping and for the lease being lost, and cancels the job then.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from papertide.exceptions import PapertideError
from papertide.jobs.lease_keeper import LeaseKeeper, renew_interval
from papertide.jobs.models import ClaimedJob
from papertide.jobs.queue import JobQueue

log = logging.getLogger(__name__)

# How often the thread looks at the worker's stop flag (and the keeper's news).
STOP_CHECK_SECONDS = 0.2


class Heartbeat:
    """``with Heartbeat(queue, job, cancel, stop, keeper):`` holds the lease while it runs.

    ``cancel`` is set when the worker is stopping (``stop``) or the lease is
    found no longer ours (we stalled past it and another claim took the job
    over): the handler stops at its next safe point and records nothing.
    """

    def __init__(self, queue: JobQueue, job: ClaimedJob, cancel: threading.Event,
                 stop: threading.Event, keeper: LeaseKeeper | None = None) -> None:
        self.queue = queue
        self.job = job
        self.cancel = cancel
        self.stop = stop
        self.keeper = keeper
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"papertide-heartbeat-{job.id}")

    def __enter__(self) -> Heartbeat:
        if self.keeper is not None:
            self.keeper.hold(self.job)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()
        if self.keeper is not None:
            self.keeper.drop(self.job)

    def _beat(self) -> None:
        interval = renew_interval(self.queue.lease_seconds)
        next_renewal = time.monotonic() + interval
        while not self._done.wait(STOP_CHECK_SECONDS):
            if self.stop.is_set():
                self.cancel.set()
            keeper = self.keeper
            if keeper is not None and keeper.alive:
                if keeper.lost(self.job):
                    self._lose()
                    return
                continue
            if time.monotonic() < next_renewal:  # measured, not counted: waits run late
                continue
            next_renewal = time.monotonic() + interval
            try:
                renewed = self.queue.renew(self.job)
            except PapertideError as error:  # the database is away: try again next beat
                log.warning("job %s: the lease could not be renewed: %s", self.job.id, error)
                continue
            if not renewed:
                self._lose()
                return

    def _lose(self) -> None:
        self.lost = True
        self.cancel.set()
        log.warning("job %s (%s): lost its lease to another claim; stopping it",
                    self.job.id, self.job.key)
