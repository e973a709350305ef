"""What a job kind is: a handler run with a context, answering with an outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papertide.cron import CronSchedule
from papertide.jobs.models import ClaimedJob, NewJob

if TYPE_CHECKING:
    from papertide.app import Papertide
    from papertide.ingest.runtime import Sources


class Postponed(Exception):
    """The job cannot run now for a reason outside it (its source is busy): try later,
    without counting the attempt."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler gets: the service, the network sources, its job and its cancel flag.

    ``cancel`` is set when the worker stops or the job's lease was lost; a handler
    stops at its next safe point (after a stored batch, between messages).
    """

    service: Papertide
    sources: Sources
    job: ClaimedJob
    cancel: threading.Event
    enqueue: Callable[[NewJob], int | None] | None = None
    """Queues a job while this one runs (the queue's, when a worker runs the handler)."""

    def follow_up(self, kind: str, suffix: str, lane: str | None = None,
                  only_if_none_queued: bool = False) -> NewJob:
        """A job to queue when this one succeeds, keyed after it (so queued once)."""
        return NewJob(key=f"{kind}@{self.job.key}{suffix}", kind=kind, lane=lane,
                      max_attempts=self.job.max_attempts, parent_id=self.job.id,
                      only_if_none_queued=only_if_none_queued)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did (one line), whether it finished, and the jobs it leads to."""

    summary: str
    complete: bool = True
    follow_ups: tuple[NewJob, ...] = ()


Handler = Callable[[JobContext], Outcome]


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job; scheduled kinds have a ``schedule`` (None when off or on demand only).

    Jobs of one ``lane`` run one at a time, whichever workers run them. While
    ``busy_here`` says the process is doing a kind's work already (embedding,
    whether for a job or the web server's own thread), its workers leave that
    kind's jobs to other processes.
    """

    name: str
    handler: Handler
    schedule: CronSchedule | None = None
    setting: str = ""
    lane: str | None = None
    scheduled: bool = False
    busy_here: Callable[[Papertide], bool] | None = None
