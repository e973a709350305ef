"""Work the server does on its own: recomputing rising topics when papers change,
and (in the extra processes of `serve --workers N`) following the stored vectors.

One daemon thread per app, started and stopped with the app's lifespan; the
first check waits a few seconds so that start-up stays quick.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from papertide.app import Papertide
from papertide.exceptions import PapertideError

FIRST_CHECK_SECONDS = 5.0
MAX_CHECK_SECONDS = 300.0
FOLLOW_SECONDS = 15.0
logger = logging.getLogger("papertide.web")


class TopicsRefresher:
    def __init__(self, service: Papertide, every_minutes: int) -> None:
        self.service = service
        self.max_age = dt.timedelta(minutes=every_minutes)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.max_age <= dt.timedelta(0):
            return
        self._thread = threading.Thread(target=self._run, name="papertide-topics", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        wait = FIRST_CHECK_SECONDS
        while not self._stop.wait(wait):
            wait = min(self.max_age.total_seconds(), MAX_CHECK_SECONDS)
            topics = self.service.community.topics
            try:
                if topics.is_stale(self.max_age):
                    topics.recompute()
            except PapertideError:
                logger.exception("rising topics could not be recomputed")


class VectorFollower:
    """In a web process that does not embed: take in the vectors the first process
    stores, every ``every_seconds``, so that new papers become findable by meaning."""

    def __init__(self, service: Papertide, every_seconds: float = FOLLOW_SECONDS) -> None:
        self.service = service
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="papertide-vector-follower",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.wait(self.every_seconds):
            try:
                self.service.semantic.follow_stored_vectors()
            except PapertideError:
                logger.exception("the vector index could not take in new vectors")
