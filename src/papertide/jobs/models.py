"""A job as the queue stores it: plain frozen data, times in unix seconds where compared."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

JobState = Literal["queued", "running", "done", "failed"]
JOB_STATES: tuple[JobState, ...] = ("queued", "running", "done", "failed")


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to add; ``key`` is unique forever, so adding it again adds nothing.

    Jobs sharing a ``lane`` run one at a time (two runs of one source never
    overlap); ``only_if_none_queued`` skips the job when one of its kind is
    still waiting (one embedding run catches up with every ingestion before it).
    """

    key: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    lane: str | None = None
    max_attempts: int = 5
    run_after: float = 0.0
    parent_id: int | None = None
    only_if_none_queued: bool = False


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker now holds the lease of; ``attempts`` counts this one.

    ``fence`` is the lease token of this claim: every change the holder makes
    names it, so once anyone (even another thread of the same worker) claims
    the job again, a late holder changes nothing.
    """

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    lane: str | None
    attempts: int
    max_attempts: int
    parent_id: int | None
    taken_over_from: str | None = None  # the owner whose lease had run out
    fence: int = 0  # this claim's lease token: a later claim of the job raises it


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A job as ``papertide jobs`` lists it."""

    id: int
    key: str
    kind: str
    state: JobState
    attempts: int
    max_attempts: int
    run_after: dt.datetime
    lease_owner: str | None
    lease_until: dt.datetime | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    last_error: str | None
    result: str | None
    parent_id: int | None
    lane: str | None

    @property
    def owner_pid(self) -> int | None:
        """The process id in a ``host:pid:random`` owner (who runs, or ran, the job)."""
        if not self.lease_owner:
            return None
        pid = self.lease_owner.split(":")[1] if self.lease_owner.count(":") >= 2 else ""
        return int(pid) if pid.isdigit() else None
