"""Work the server does on its own: recomputing rising topics when papers change,
and following what other processes commit (a web host's local search indexes on
PostgreSQL, the stored vectors in the extra processes of `serve --workers N`).

One daemon thread each, started and stopped with the app's lifespan; the first
look at the topics waits a few seconds so that start-up stays quick.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import TYPE_CHECKING

from papertide.app import Papertide
from papertide.exceptions import PapertideError

if TYPE_CHECKING:
    from papertide.store.postgres.notifications import ChangeListener

FIRST_CHECK_SECONDS = 5.0
MAX_CHECK_SECONDS = 300.0
# How often a follower looks for changes it was not told about.
FOLLOW_SECONDS = 10.0
STOP_CHECK_SECONDS = 0.5
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


class SearchFollower:
    """Keeps this process's search in step with what other processes commit.

    On PostgreSQL a web host's local copies of the search indexes follow the
    database (``Papertide.follow_database``): at once when PostgreSQL notifies a
    commit of papers or vectors, and every ``every_seconds`` anyway, since a
    notification sent while the listening connection was down is lost. On SQLite
    (an extra process of ``serve --workers N``) only the polling is left: it takes
    in the vectors the first process stores.
    """

    def __init__(self, service: Papertide, every_seconds: float = FOLLOW_SECONDS) -> None:
        self.service = service
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="papertide-search-follower",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        listener = self.service.change_listener()
        due = time.monotonic()
        try:
            while not self._stop.is_set():
                heard = self._wait(listener, due)
                if self._stop.is_set():
                    return
                if heard or time.monotonic() >= due:
                    try:
                        self.service.follow_database()
                    except Exception:  # keep following: the next change or poll retries
                        logger.exception("the search indexes could not take in new changes")
                    due = time.monotonic() + self.every_seconds
        finally:
            if listener is not None:
                listener.close()

    def _wait(self, listener: ChangeListener | None, due: float) -> bool:
        """Until ``due`` (in short steps, to stop promptly) or a notification."""
        seconds = min(max(due - time.monotonic(), 0.0), STOP_CHECK_SECONDS)
        if listener is None:
            self._stop.wait(seconds)
            return False
        try:
            return listener.wait(seconds)
        except PapertideError as error:
            logger.warning("not hearing about new papers (polling meanwhile): %s", error)
            self._stop.wait(STOP_CHECK_SECONDS)
            return False
