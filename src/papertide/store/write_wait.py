"""How long a write waits for another writer: briefly for a person, long for jobs.

A big import holds the write lock for seconds at a time. A background job or an
import can wait it out; a person clicking "upvote" should not stare at a
spinner for ten seconds, but get a clear "busy, try again in a moment" (503 with
Retry-After) after a short, bounded wait. The web app sets that bound for each
request with :func:`bounded_write_wait`; both engines read it when they open a
transaction (SQLite's busy timeout, PostgreSQL's ``lock_timeout``).

The bound travels in a context variable: the thread pool that runs a request's
handlers copies it into the thread, while threads a request starts for longer
work (a library import) begin with a fresh context and keep the long wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LONG_WAIT_SECONDS = 10.0
"""What jobs, imports and the command line wait for the write lock."""

_bound: ContextVar[float | None] = ContextVar("papertide_write_wait_bound", default=None)


@contextmanager
def bounded_write_wait(seconds: float) -> Iterator[None]:
    """Inside the block (and the threads it hands work to), wait at most ``seconds``."""
    token = _bound.set(seconds)
    try:
        yield
    finally:
        _bound.reset(token)


def write_wait_seconds() -> float:
    """How long a write started here may wait for the lock."""
    bound = _bound.get()
    return LONG_WAIT_SECONDS if bound is None else min(bound, LONG_WAIT_SECONDS)


def is_bounded() -> bool:
    """Whether the caller asked for a short wait (a person's request)."""
    return _bound.get() is not None
