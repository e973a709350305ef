"""Fetching one missing paper from the arXiv API when a reader asks for it.

The web page queues a job; a worker runs it through the same polite client
(rate limiter, retries, the ``arxiv-api`` run lease) as ``papertide ingest api``.
One job per paper per ``FETCH_EVERY_SECONDS``, so a reader clicking again (or
two readers at once) makes one request, and the number waiting is capped.
"""

from __future__ import annotations

from papertide.app import Papertide
from papertide.exceptions import RateLimitedError, RunBusyError
from papertide.ingest.api import ingest_arxiv_ids
from papertide.jobs.context import JobContext, Outcome, Postponed
from papertide.jobs.models import JobRecord, NewJob
from papertide.jobs.queue import JobQueue
from papertide.sources.arxiv_api import SOURCE_NAME

FETCH_KIND = "fetch-paper"
FETCH_EVERY_SECONDS = 600
MAX_WAITING_FETCHES = 20
FETCH_ATTEMPTS = 3


def fetch_key_prefix(arxiv_id: str) -> str:
    return f"{FETCH_KIND}:{arxiv_id}:"


def fetch_job(arxiv_id: str, now: float) -> NewJob:
    """The job that fetches ``arxiv_id`` (its canonical id), keyed by paper and time slot."""
    slot = int(now // FETCH_EVERY_SECONDS)
    return NewJob(key=f"{fetch_key_prefix(arxiv_id)}{slot}", kind=FETCH_KIND,
                  payload={"arxiv_id": arxiv_id}, lane=SOURCE_NAME, max_attempts=FETCH_ATTEMPTS)


def latest_fetch(jobs: list[JobRecord], arxiv_id: str) -> JobRecord | None:
    """The newest fetch of ``arxiv_id`` among ``jobs`` (newest first, as the store lists them)."""
    prefix = fetch_key_prefix(arxiv_id)
    return next((job for job in jobs if job.key.startswith(prefix)), None)


def request_fetch(service: Papertide, arxiv_id: str) -> None:
    """Queue a fetch of ``arxiv_id`` (a canonical id) unless it is stored or already waits;
    RateLimitedError when too many other papers wait."""
    if service.store.get_paper(arxiv_id) is not None:
        return
    waiting = service.store.job_records(MAX_WAITING_FETCHES, ("queued",), (FETCH_KIND,))
    if latest_fetch(waiting, arxiv_id) is not None:
        return
    if len(waiting) >= MAX_WAITING_FETCHES:
        raise RateLimitedError(f"{len(waiting)} papers are already waiting to be fetched; "
                               "try again in a few minutes", FETCH_EVERY_SECONDS)
    queue = JobQueue(service.store, service.settings)
    queue.enqueue(fetch_job(arxiv_id, queue.wall()))


def fetch_paper(context: JobContext) -> Outcome:
    arxiv_id = str(context.job.payload.get("arxiv_id", ""))
    try:
        report = ingest_arxiv_ids(context.service, context.sources, [arxiv_id],
                                  cancel=context.cancel)
    except RunBusyError as busy:  # a manual `papertide ingest api` holds the source
        raise Postponed(str(busy)) from None
    return Outcome(f"fetch {arxiv_id}: {report.summary()}", complete=report.complete)
