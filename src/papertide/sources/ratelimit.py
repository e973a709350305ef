"""One request at a time, and a pause between requests, for every user of a limiter.

arXiv asks for no more than one request every three seconds and a single
connection at a time, for all of a deployment's machines together. One
:class:`RateLimiter` instance is shared by every arXiv adapter and thread of a
process (the ingest runtime builds it once). Processes on one machine that share
a data dir coordinate through a lock file there: ``flock`` serialises the
requests, and the file holds the earliest wall-clock time the next request may
start. A lock file was chosen over a database row because the lock is held for
the whole request: a row would hold SQLite's write lock for seconds and stall
every writer. Machines that share nothing cannot coordinate; run the ingest on
one of them.
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX; elsewhere the limit holds within one process only.
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]

_STAMP = struct.Struct("<d")
MAX_HOLD_SECONDS = 86_400.0


class Slot:
    """The turn of one request; ``pause`` lengthens the wait of whoever comes next."""

    def __init__(self) -> None:
        self.extra_pause = 0.0

    def pause(self, seconds: float) -> None:
        """A server asked for a pause (Retry-After, backoff): every user of the limiter waits."""
        self.extra_pause = max(self.extra_pause, seconds)


class RateLimiter:
    """Grants request slots: never two at once, ``interval`` seconds from one end to the next start.

    Measuring from the end of a request (not its start) keeps the pause even when a
    response takes long to download, which is the stricter reading of arXiv's rule.
    """

    def __init__(
        self,
        interval: float,
        lock_path: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.lock_path = lock_path
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = 0.0  # wall clock, seconds since the epoch

    @contextmanager
    def slot(self) -> Iterator[Slot]:
        """Wait for the turn, hold it while the body of the ``with`` runs, then start the pause."""
        with self._lock, self._shared_file() as shared:
            delay = max(self._not_before, _read_stamp(shared)) - time.time()
            if delay > 0:
                # Capped: a stamp a day ahead comes from a clock that was set back.
                self._sleep(min(delay, MAX_HOLD_SECONDS))
            granted = Slot()
            try:
                yield granted
            finally:
                pause = max(self.interval, granted.extra_pause)
                self._not_before = max(self._not_before, time.time() + pause)
                _write_stamp(shared, self._not_before)

    @contextmanager
    def _shared_file(self) -> Iterator[int | None]:
        if self.lock_path is None or fcntl is None:
            yield None
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield descriptor
        finally:
            os.close(descriptor)  # closing releases the lock


def _read_stamp(descriptor: int | None) -> float:
    if descriptor is None:
        return 0.0
    data = os.pread(descriptor, _STAMP.size, 0)
    return _STAMP.unpack(data)[0] if len(data) == _STAMP.size else 0.0


def _write_stamp(descriptor: int | None, value: float) -> None:
    if descriptor is not None:
        os.pwrite(descriptor, _STAMP.pack(value), 0)
