"""Renew a worker's leases from a child process, so a busy worker does not lose its jobs.

A heartbeat thread shares the worker's GIL and its store's locks: a job that
parses a large document in C, or a write transaction that waits behind another
worker's, can hold it back past the lease, and then another worker takes the
job over and runs it a second time. The keeper is a small process of its own
(spawned, so it shares no lock and no connection with the worker) that only
renews the leases it is told to hold, on its own database connection, and
tells the worker when one was lost (another claim raised its fence).

It renews only while the worker lives: it stops when the worker closes the
pipe or dies (the pipe ends), so a killed worker's jobs are taken over after
one lease, as before.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from papertide.exceptions import PapertideError
from papertide.jobs.models import ClaimedJob
from papertide.settings import Settings

log = logging.getLogger("papertide.jobs")

RENEWALS_PER_LEASE = 4  # two renewals may come late and the lease still holds
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


def renew_interval(lease_seconds: float) -> float:
    return lease_seconds / RENEWALS_PER_LEASE


class LeaseKeeper:
    """The worker's side: ``hold``/``drop`` jobs, ask whether one was ``lost``."""

    def __init__(self, settings: Settings, owner: str) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of threads or connections
        self._pipe, child_end = context.Pipe()
        self._process = context.Process(
            target=keep_leases, args=(settings, owner, child_end),
            name="papertide-lease-keeper", daemon=True)
        self._child_end = child_end
        self._lock = threading.Lock()
        self._lost: set[tuple[int, int]] = set()

    def start(self) -> bool:
        """Start the child and wait until it can renew; False if it could not start."""
        try:
            self._process.start()
        except OSError as error:
            log.warning("no lease keeper process (%s); heartbeats run in threads", error)
            return False
        self._child_end.close()
        if not self._pipe.poll(START_TIMEOUT_SECONDS) or self._receive() != ("ready",):
            log.warning("the lease keeper did not start; heartbeats run in threads")
            self.stop()
            return False
        return True

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def hold(self, job: ClaimedJob) -> None:
        self._send(("hold", job.id, job.fence))

    def drop(self, job: ClaimedJob) -> None:
        self._send(("drop", job.id, job.fence))

    def lost(self, job: ClaimedJob) -> bool:
        """True once the keeper found the job claimed again by someone else."""
        with self._lock:
            while self._pipe.poll():
                message = self._receive()
                if message and message[0] == "lost":
                    self._lost.add((int(message[1]), int(message[2])))
            return (job.id, job.fence) in self._lost

    def stop(self) -> None:
        with self._lock:
            self._pipe.close()
        self._process.join(STOP_TIMEOUT_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _send(self, message: tuple[Any, ...]) -> None:
        # The keeper died (or stopped): heartbeats fall back to threads.
        with self._lock, contextlib.suppress(OSError, ValueError):
            self._pipe.send(message)

    def _receive(self) -> tuple[Any, ...] | None:
        try:
            message = self._pipe.recv()
        except (EOFError, OSError):
            return None
        return message if isinstance(message, tuple) else None


def keep_leases(settings: Settings, owner: str, pipe: Connection) -> None:
    """The child: renew the held leases every quarter lease until the worker goes."""
    from papertide.store.factory import open_store

    try:
        store = open_store(settings.resolved_database_url, pool_size=1)
    except (PapertideError, KeyboardInterrupt):
        return
    held: dict[int, int] = {}  # job id -> fence
    interval = renew_interval(settings.job_lease_seconds)
    try:
        pipe.send(("ready",))
        next_renewal = time.monotonic()
        while True:
            if pipe.poll(max(next_renewal - time.monotonic(), 0.0)):
                message = pipe.recv()
                if message[0] == "hold":  # renewed at once: the claim may be a while ago
                    held[message[1]] = message[2]
                    next_renewal = time.monotonic()
                elif message[0] == "drop" and held.get(message[1]) == message[2]:
                    del held[message[1]]
                if time.monotonic() < next_renewal:
                    continue
            next_renewal = time.monotonic() + interval
            for job_id, fence in list(held.items()):
                _renew(store, owner, job_id, fence, settings.job_lease_seconds, held, pipe)
    except (EOFError, OSError, KeyboardInterrupt):
        return  # the worker closed the pipe, or died: its leases run out
    finally:
        store.close()


def _renew(store: Any, owner: str, job_id: int, fence: int, lease_seconds: float,
           held: dict[int, int], pipe: Connection) -> None:
    try:
        renewed = store.renew_job_lease(job_id, owner, time.time() + lease_seconds,
                                        fence=fence)
    except PapertideError as error:  # the database is away: try again next round
        log.warning("job %s: the lease could not be renewed: %s", job_id, error)
        return
    if not renewed:
        del held[job_id]
        pipe.send(("lost", job_id, fence))
