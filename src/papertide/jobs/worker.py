"""The loop of a ``papertide worker`` process: queue the due schedule slots, run jobs.

Any number of workers, on any machines sharing the database, run the same
loop. Each one queues the latest slot of every enabled schedule (the slot's
unique key makes that once per slot, whichever worker is first) and runs
``job_threads`` threads that claim due jobs one at a time, so the work spreads
over every worker, no job runs twice at once, and a job whose worker died is
taken over once its lease runs out.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from papertide.exceptions import PapertideError
from papertide.jobs.context import JobKind
from papertide.jobs.lease_keeper import LeaseKeeper
from papertide.jobs.models import NewJob
from papertide.jobs.queue import JobQueue
from papertide.jobs.runner import JobRunner
from papertide.jobs.slots import latest_slot, slot_key

if TYPE_CHECKING:
    from papertide.app import Papertide
    from papertide.ingest.runtime import Sources

log = logging.getLogger("papertide.jobs")

PURGE_EVERY_SECONDS = 3_600.0
STOP_TIMEOUT_SECONDS = 30.0


class Worker:
    """Queue and run the jobs of ``kinds`` (all of them, or those ``only`` names)."""

    def __init__(self, service: Papertide, sources: Sources, kinds: Mapping[str, JobKind],
                 stop: threading.Event, only: Sequence[str] | None = None,
                 queue: JobQueue | None = None) -> None:
        self.service = service
        self.settings = service.settings
        self.kinds = kinds
        self.stop = stop
        self.only = list(only) if only is not None else None
        self.queue = queue or JobQueue(service.store, service.settings)
        self.runner = JobRunner(service, sources, self.queue, kinds, stop)
        self._queued_slots: dict[str, str] = {}
        self._threads: list[threading.Thread] = []

    # -- schedules -----------------------------------------------------------------------

    def queue_due_slots(self) -> list[int]:
        """Queue the latest slot of each scheduled kind; the ids this call added."""
        now = self.service.clock()
        added: list[int] = []
        for kind in self.kinds.values():
            if kind.schedule is None or (self.only is not None and kind.name not in self.only):
                continue
            slot = latest_slot(kind.schedule, now)
            if slot is None:
                continue
            key = slot_key(kind.name, slot)
            if self._queued_slots.get(kind.name) == key:
                continue
            job_id = self.queue.enqueue(NewJob(key, kind.name, {"slot": slot.isoformat()},
                                               kind.lane, self.settings.job_max_attempts))
            self._queued_slots[kind.name] = key
            if job_id is not None:
                log.info("queued job %d %s", job_id, key)
                added.append(job_id)
        return added

    # -- running until stopped ------------------------------------------------------------

    def start(self) -> None:
        """The slot loop and the job threads, in daemon threads, until ``stop`` is set;
        the leases of running jobs are kept by a child process (``jobs.lease_keeper``)."""
        keeper = LeaseKeeper(self.settings, self.queue.owner)
        if keeper.start():
            self.runner.keeper = keeper
        for kind in self.kinds.values():
            if kind.scheduled and (self.only is None or kind.name in self.only):
                if kind.schedule is None:
                    log.info("%s: off (%s)", kind.name, kind.setting)
                else:
                    log.info("%s: runs at '%s' (%s)", kind.name, kind.schedule.text,
                             kind.schedule.timezone)
        self._threads = [threading.Thread(target=self._slot_loop, daemon=True,
                                          name="papertide-schedules")]
        self._threads += [threading.Thread(target=self._job_loop, daemon=True,
                                           name=f"papertide-jobs-{number}")
                          for number in range(1, self.settings.job_threads + 1)]
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        keeper, self.runner.keeper = self.runner.keeper, None
        if keeper is not None:
            keeper.stop()

    def run(self) -> None:
        """Work until ``stop`` is set, then let the running jobs stop and give them back."""
        self.start()
        try:
            while not self.stop.wait(1.0):
                pass
        finally:
            self.stop.set()
            self.join()

    def _slot_loop(self) -> None:
        next_purge = time.monotonic()
        while not self.stop.is_set():
            try:
                self.queue_due_slots()
                if time.monotonic() >= next_purge:
                    self.queue.purge()
                    next_purge = time.monotonic() + PURGE_EVERY_SECONDS
            except PapertideError as error:  # the database is away: the next round retries
                log.warning("queueing scheduled jobs failed: %s", error)
            self.stop.wait(self.settings.job_poll_seconds)

    def _job_loop(self) -> None:
        kinds = self._runnable_kinds()
        while not self.stop.is_set():
            try:
                job = self.queue.claim(kinds=self._claimable(kinds))
            except PapertideError as error:
                log.warning("claiming a job failed: %s", error)
                job = None
            if job is None:
                self.stop.wait(self.settings.job_poll_seconds)
                continue
            try:
                self.runner.run(job)
            except PapertideError as error:  # settling failed: the lease runs out, retried
                log.error("job %d %s could not be settled: %s", job.id, job.key, error)

    def _claimable(self, kinds: list[str] | None) -> list[str] | None:
        """``kinds`` less those whose work this process is doing already (see JobKind)."""
        busy = {kind.name for kind in self.kinds.values()
                if kind.busy_here is not None and kind.busy_here(self.service)}
        if not busy:
            return kinds
        return [name for name in (kinds if kinds is not None else self.kinds) if name not in busy]

    def _runnable_kinds(self) -> list[str] | None:
        """With ``only``: those kinds and the ones they lead to (deliveries, embedding)."""
        if self.only is None:
            return None
        chosen = set(self.only)
        if any(name.startswith("digest-") for name in chosen):
            chosen.add("deliver")
        if self.settings.job_embed and chosen & {"arxiv-rss", "hf-daily", "arxiv-oai"}:
            chosen.add("embed")
        return sorted(chosen & set(self.kinds))

    # -- once -----------------------------------------------------------------------------

    def run_once(self, names: Sequence[str]) -> bool:
        """Queue a run of each named job now, run them and what they lead to here, one after
        the other (waiting while another worker runs the same source). True if all did."""
        now = self.service.clock()
        pending: set[int] = set()
        for name in names:
            kind = self.kinds[name]
            slot = latest_slot(kind.schedule, now) if kind.schedule else None
            payload = {"slot": slot.isoformat()} if slot else {}
            job_id = self.queue.enqueue(NewJob(
                f"{name}@{now.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}-once-{uuid.uuid4().hex[:8]}",
                name, payload, kind.lane, max_attempts=1))
            assert job_id is not None  # the key is new
            pending.add(job_id)
        runner = JobRunner(self.service, self.runner.sources, self.queue, self.kinds,
                           self.stop, postpone_busy=False, shares_work=False)
        succeeded = True
        while pending and not self.stop.is_set():
            job = self.queue.claim(ids=sorted(pending))
            if job is not None:
                pending.update(runner.run(job).follow_up_ids)
            for job_id in sorted(pending):
                record = self.service.store.get_job(job_id)
                if record is None or record.state in ("done", "failed"):
                    pending.discard(job_id)
                    succeeded = succeeded and record is not None and record.state == "done"
            if job is None and pending:
                self.stop.wait(self.settings.job_poll_seconds)
        return succeeded and not pending
