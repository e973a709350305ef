"""At most one run per source at a time, across threads and processes.

A run takes a lease through the database: a row in the store's meta table naming its host, process
and start time, written inside a write transaction so that two processes cannot
both take it. The lease is renewed with every batch the run stores, and a lease
counts as abandoned when its process is gone (same host) or it has not been
renewed for a long while (another host), so that a run killed with ``kill -9``
does not block the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass

from papertide.exceptions import RunBusyError
from papertide.processes import process_exists
from papertide.store.base import Store

LEASE_PREFIX = "ingest.running."
ABANDONED_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Lease:
    owner: str
    host: str
    pid: int
    started_at: str
    renewed_at: str

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}, started {self.started_at[:19]}Z"


def _now() -> dt.datetime:
    """Wall-clock time: leases are about real processes, whatever clock a run uses."""
    return dt.datetime.now(dt.UTC)


class RunLease:
    """A lease held by this run; renew it inside each batch's transaction."""

    def __init__(self, store: Store, source: str, lease: Lease) -> None:
        self.store = store
        self.key = LEASE_PREFIX + source
        self.lease = lease

    def renew(self) -> None:
        renewed = Lease(**{**asdict(self.lease), "renewed_at": _now().isoformat()})
        self.store.set_meta(self.key, json.dumps(asdict(renewed)))
        self.lease = renewed

    def release(self) -> None:
        with self.store.transaction():
            current = _load(self.store.get_meta(self.key))
            if current is not None and current.owner == self.lease.owner:
                self.store.set_meta(self.key, "")


def acquire_lease(store: Store, source: str) -> RunLease:
    """Take the lease of ``source`` or raise RunBusyError naming the holder."""
    key = LEASE_PREFIX + source
    now = _now()
    with store.transaction():
        current = _load(store.get_meta(key))
        if current is not None and not is_abandoned(current, now):
            raise RunBusyError(f"{source} is already running ({current.describe()}); "
                               "this run did not start")
        lease = Lease(uuid.uuid4().hex, socket.gethostname(), os.getpid(), now.isoformat(),
                      now.isoformat())
        store.set_meta(key, json.dumps(asdict(lease)))
    return RunLease(store, source, lease)


def is_abandoned(lease: Lease, now: dt.datetime) -> bool:
    if lease.host == socket.gethostname() and not process_exists(lease.pid):
        return True
    try:
        renewed = dt.datetime.fromisoformat(lease.renewed_at)
    except ValueError:
        return True
    return now - renewed > ABANDONED_AFTER


def _load(value: str | None) -> Lease | None:
    if not value:
        return None
    try:
        return Lease(**json.loads(value))
    except (ValueError, TypeError):
        return None  # unreadable: treat as free rather than block forever
