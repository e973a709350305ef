"""Big library imports run in the background; a progress page follows them.

Matching 10,000 references takes seconds, too long for one request. A job
runs in a process of its own (parsing and matching are pure Python: in the web
process they would hold the interpreter lock the requests need), followed by a
thread of the process that took the upload; the job writes its status
(stage, counts, then the report or the error) to a small JSON file, replaced
atomically, so that any server process (``papertide serve --workers N``) can
show the progress page. Job ids are random and each status names its owner:
nobody sees another person's import.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from papertide.exceptions import InvalidInputError, NotFoundError, PapertideError, RateLimitedError
from papertide.recommend.importer import ImportProgress, ImportReport

MAX_RUNNING = 2
CLOSE_WAIT_SECONDS = 30.0
BUSY_RETRY_SECONDS = 30
KEEP_SECONDS = 86_400
WRITE_EVERY_SECONDS = 0.3
SHOWN_UNMATCHED = 500
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
logger = logging.getLogger("papertide.recommend")

ImportState = Literal["running", "done", "failed"]
# user id, data, file name, pasted (ids, DOIs and titles typed in a box), progress
RunImport = Callable[[int, bytes, str, bool, ImportProgress], ImportReport]
# job id, file name, pasted: runs ``LibraryImports.run_here`` in a fresh process
RunInProcess = Callable[[str, str, bool], None]
PROCESS_POLL_SECONDS = 0.2


class ImportStopped(PapertideError):
    """The server is closing: a running import ends as failed, with nothing saved."""


@dataclass(frozen=True, slots=True)
class AddedPaper:
    arxiv_id: str
    title: str


@dataclass(frozen=True, slots=True)
class UnmatchedEntry:
    label: str
    arxiv_id: str | None = None
    doi: str | None = None


@dataclass(frozen=True, slots=True)
class FinishedImport:
    """What the reader is shown after an import (a report, in a form a file can hold)."""

    summary: str
    warnings: tuple[str, ...] = ()
    unmatched: tuple[UnmatchedEntry, ...] = ()
    unmatched_count: int = 0
    added: tuple[AddedPaper, ...] = ()
    added_count: int = 0

    @classmethod
    def of(cls, report: ImportReport) -> FinishedImport:
        shown = tuple(UnmatchedEntry(entry.label, entry.arxiv_id, entry.doi)
                      for entry in report.unmatched[:SHOWN_UNMATCHED])
        added = tuple(AddedPaper(arxiv_id, title) for arxiv_id, title in report.added_titles)
        return cls(report.summary(), report.warnings, shown, len(report.unmatched), added,
                   len(report.added))


@dataclass(frozen=True, slots=True)
class ImportStatus:
    """Where a background import is: its stage and counts, then its report or error."""

    job_id: str
    user_id: int
    state: ImportState = "running"
    stage: str = "waiting"
    done: int = 0
    total: int = 0
    report: FinishedImport | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ImportStatus:
        data: dict[str, Any] = json.loads(text)
        report = data.pop("report")
        if report is not None:
            report = FinishedImport(report["summary"], tuple(report["warnings"]),
                                    tuple(UnmatchedEntry(**item) for item in report["unmatched"]),
                                    report["unmatched_count"],
                                    tuple(AddedPaper(**item) for item in report["added"]),
                                    report["added_count"])
        return cls(report=report, **data)


class LibraryImports:
    """Start library imports in the background and read their status back.

    With ``in_process``, each job runs in a process of its own (spawned: no fork
    of a threaded server), which reads the upload from the job's input file and
    writes the status; without, in a thread of this process.
    """

    def __init__(self, folder: Path, run: RunImport,
                 in_process: RunInProcess | None = None) -> None:
        self.folder = folder
        self.run = run
        self.in_process = in_process
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)
        self._closing = threading.Event()
        self._running: dict[str, threading.Thread] = {}  # job id -> its thread
        self._threads_lock = threading.Lock()

    def close(self, timeout: float = CLOSE_WAIT_SECONDS) -> None:
        """Stop the running imports (they end as failed, nothing saved) and wait for their
        threads, so the store is never closed under one of them."""
        self._closing.set()
        with self._threads_lock:
            running = list(self._running.values())
        for thread in running:
            thread.join(timeout)

    def start(self, user_id: int, data: bytes, filename: str, pasted: bool = False) -> str:
        """Start importing ``data`` for ``user_id``; the id of the job to follow."""
        if not self._slots.acquire(blocking=False):
            raise RateLimitedError("other library imports are running on this server; "
                                   f"try again in {BUSY_RETRY_SECONDS} seconds",
                                   BUSY_RETRY_SECONDS)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._forget_old()
            status = ImportStatus(secrets.token_urlsafe(16), user_id)
            self._write(status)
            if self.in_process is not None:
                self._input(status.job_id).write_bytes(data)
            thread = threading.Thread(target=self._follow, args=(status, data, filename, pasted),
                                      name="papertide-library-import", daemon=True)
            with self._threads_lock:
                if self._closing.is_set():
                    raise ImportStopped("the server is shutting down; try again in a moment")
                self._running[status.job_id] = thread
            thread.start()
        except BaseException:
            self._slots.release()
            raise
        return status.job_id

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Wait until the job started here ends (at once if it is not running here)."""
        with self._threads_lock:
            thread = self._running.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def status(self, user_id: int, job_id: str) -> ImportStatus:
        """The job's status (NotFoundError for an unknown id or someone else's job)."""
        if not _JOB_ID.match(job_id):
            raise NotFoundError("there is no such library import")
        try:
            status = ImportStatus.from_json(self._path(job_id).read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            raise NotFoundError("there is no such library import (or it was long ago)") from None
        if status.user_id != user_id:
            raise NotFoundError("there is no such library import")
        return status

    def run_here(self, job_id: str, filename: str, pasted: bool) -> None:
        """In the job's own process: run the import whose upload is in its input file."""
        status = ImportStatus.from_json(self._path(job_id).read_text("utf-8"))
        self._work(status, self._input(job_id).read_bytes(), filename, pasted)

    def _follow(self, status: ImportStatus, data: bytes, filename: str, pasted: bool) -> None:
        """The job's thread: run it here, or start its process and wait for it."""
        try:
            if self.in_process is None:
                self._work(status, data, filename, pasted)
            else:
                self._wait_for_process(status, filename, pasted)
        finally:
            with self._threads_lock:
                self._running.pop(status.job_id, None)
            self._slots.release()

    def _wait_for_process(self, status: ImportStatus, filename: str, pasted: bool) -> None:
        assert self.in_process is not None
        stopped = False
        try:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded server
            process = context.Process(target=self.in_process,
                                      args=(status.job_id, filename, pasted),
                                      name="papertide-library-import", daemon=True)
            process.start()
            while process.is_alive():
                process.join(PROCESS_POLL_SECONDS)
                if self._closing.is_set() and process.is_alive():
                    process.terminate()  # its one write transaction rolls back
                    process.join()
                    stopped = True
            left = ImportStatus.from_json(self._path(status.job_id).read_text("utf-8"))
            if left.state == "running":  # the process ended before it could say how
                reason = ("the server shut down during the import" if stopped
                          else f"the import process ended unexpectedly ({process.exitcode})")
                self._write(replace(left, state="failed",
                                     error=f"the import failed: {reason}; nothing was saved"))
        except Exception:
            logger.exception("a library import failed")
            self._write(replace(status, state="failed", error="the import failed on our "
                                 "side; nothing was saved and the error has been logged"))
        finally:
            self._input(status.job_id).unlink(missing_ok=True)

    def _work(self, status: ImportStatus, data: bytes, filename: str, pasted: bool) -> None:
        last_write = 0.0

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal status, last_write
            if self._closing.is_set():
                raise ImportStopped("the server shut down during the import")
            status = replace(status, stage=stage, done=done, total=total)
            now = time.monotonic()
            if now - last_write >= WRITE_EVERY_SECONDS:
                last_write = now
                self._write(status)

        try:
            report = self.run(status.user_id, data, filename, pasted, progress)
            self._write(replace(status, state="done", stage="done",
                                 report=FinishedImport.of(report)))
        except InvalidInputError as error:
            self._write(replace(status, state="failed", error=str(error)))
        except PapertideError as error:
            logger.warning("a library import failed: %s", error)
            self._write(replace(status, state="failed",
                                 error=f"the import failed: {error}; nothing was saved"))
        except Exception:
            logger.exception("a library import failed")
            self._write(replace(status, state="failed", error="the import failed on our "
                                 "side; nothing was saved and the error has been logged"))

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _input(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.input"

    def _write(self, status: ImportStatus) -> None:
        path = self._path(status.job_id)
        partial = path.with_suffix(".part")
        partial.write_text(status.to_json(), "utf-8")
        os.replace(partial, path)

    def _forget_old(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for path in self.folder.glob("*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue
