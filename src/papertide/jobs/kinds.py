"""Every kind of job a worker runs, built from the settings.

- the ingestion jobs (``arxiv-rss``, ``hf-daily``, ``arxiv-oai``) on their
  schedules, each in a lane of its own so two runs of one source never
  overlap; one that stored new or changed papers queues an ``embed`` job;
- the mail jobs (``digest-daily``, ``digest-weekly``, ``mail-outbox``; see
  ``digest.jobs``) and the ``deliver`` jobs a composed issue queues;
- ``embed``: vectors for the papers that lack one; the papers are shared out in
  claimed ranges (``embed.sync``), and a run that leaves some unclaimed queues
  another ``embed`` job, which an idle worker process picks up and joins in
  with, so more workers embed faster with nothing to set; one run per process;
- ``fetch-paper``: one paper a reader asked for from the arXiv API (``ingest.fetch``).
"""

from __future__ import annotations

import uuid

from papertide.digest.jobs import DELIVER_KIND, deliver_messages, digest_jobs, queue_handler
from papertide.exceptions import RunBusyError
from papertide.ingest.fetch import FETCH_KIND, fetch_paper
from papertide.ingest.jobs import Job, ingest_jobs
from papertide.ingest.scheduler import run_job_now
from papertide.jobs.context import Handler, JobContext, JobKind, Outcome, Postponed
from papertide.jobs.models import NewJob
from papertide.settings import Settings
from papertide.sources.arxiv_api import SOURCE_NAME

EMBED_KIND = "embed"


def scheduled_jobs(settings: Settings) -> list[Job]:
    """Every scheduled job, enabled or not: each area's, put together here, above them all."""
    return ingest_jobs(settings) + digest_jobs(settings)


def job_kinds(settings: Settings) -> dict[str, JobKind]:
    """The kinds by name; the scheduled ones first, in the order of ``scheduled_jobs``."""
    kinds = {
        job.name: JobKind(job.name, queue_handler(job.name) or _ingestion(job, settings),
                          job.schedule, job.setting, lane=job.name, scheduled=True)
        for job in scheduled_jobs(settings)
    }
    kinds[DELIVER_KIND] = JobKind(DELIVER_KIND, deliver_messages)
    kinds[EMBED_KIND] = JobKind(EMBED_KIND, embed_papers,
                                busy_here=lambda service: service.semantic.embedding_here())
    kinds[FETCH_KIND] = JobKind(FETCH_KIND, fetch_paper, lane=SOURCE_NAME)
    return kinds


def _ingestion(job: Job, settings: Settings) -> Handler:
    def ingest(context: JobContext) -> Outcome:
        try:
            reports = run_job_now(context.service, context.sources, job, context.cancel)
        except RunBusyError as busy:  # a manual `papertide ingest` holds the source
            raise Postponed(str(busy)) from None
        stored = sum(report.counts.new + report.counts.updated for report in reports)
        embed = (context.follow_up(EMBED_KIND, "", only_if_none_queued=True),) \
            if settings.job_embed and stored else ()
        return Outcome(" | ".join(report.summary() for report in reports) or job.name,
                       complete=all(report.complete for report in reports), follow_ups=embed)

    return ingest


def embed_papers(context: JobContext) -> Outcome:
    """Embed papers that lack a current vector, range by range, beside any other process
    doing the same (papers arriving meanwhile queue another run, and ranges other
    processes hold count as waiting, so what is left at the end is not a failure)."""
    try:
        report = context.service.semantic.embed_pending(
            stop=context.cancel, more_waiting=lambda: _helper(context))
    except RunBusyError:  # another thread here began meanwhile
        return Outcome("embed: this process is embedding already (its run takes these too)")
    return Outcome(f"embed: {report.embedded:,} papers embedded, {report.unchanged:,} "
                   f"unchanged, {report.remaining:,} waiting")


def _helper(context: JobContext) -> None:
    """Queue an ``embed`` job for another worker to join in (one waiting at a time)."""
    if context.enqueue is not None:
        first = context.job.key.partition("+")[0]  # helpers of helpers keep short keys
        context.enqueue(NewJob(f"{first}+{uuid.uuid4().hex[:8]}",
                               EMBED_KIND, max_attempts=context.job.max_attempts,
                               parent_id=context.job.id, only_if_none_queued=True))
