"""The digest jobs of ``papertide worker`` (and ``papertide serve --scheduler``).

- ``digest-daily`` / ``digest-weekly`` at ``digest_hour`` (weekly on
  ``digest_weekly_day``): compose the issue of the scheduled time into the
  outbox, then queue ``job_delivery_jobs`` delivery jobs, so that several
  workers send at once (the outbox's leases give each message to one of them).
  Composing an issue again finds it composed, so a rerun after a crash, or a
  manual `papertide digest send`, never mails anyone twice;
- ``mail-outbox`` every five minutes: retry deferred messages, send queued
  confirmations that the web server could not.

They exist only when an SMTP server is configured (and ``schedule_digests``
for the digests). :func:`digest_jobs` gives them as actions that run whole
(compose and send in one go), for callers outside the queue.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from papertide.app import Papertide
from papertide.cron import parse_schedule
from papertide.digest.models import DigestKind, DigestPeriod
from papertide.digest.periods import digest_schedule, due_period, period_of
from papertide.ingest.jobs import Action, Job
from papertide.ingest.report import IngestReport
from papertide.ingest.runtime import Sources
from papertide.jobs.context import Handler, JobContext, Outcome
from papertide.settings import Settings

OUTBOX_SCHEDULE = "*/5 * * * *"
DELIVER_KIND = "deliver"


@dataclass(slots=True)
class MailJobReport(IngestReport):
    """The scheduler logs ``summary()``; a mail job's is its own sentence."""

    text: str = ""

    def summary(self) -> str:
        return f"{self.source}: {self.text}"


def digest_jobs(settings: Settings) -> list[Job]:
    if not settings.smtp_host:
        return []
    jobs = [Job("mail-outbox", "smtp_host",
                parse_schedule(OUTBOX_SCHEDULE, settings.schedule_timezone, "mail-outbox"),
                _deliver)]
    if settings.schedule_digests:
        jobs += [Job(f"digest-{kind}", "digest_hour", digest_schedule(kind, settings),
                     _issue_job(kind)) for kind in ("daily", "weekly")]
    return jobs


def queue_handler(name: str) -> Handler | None:
    """How the job queue runs the mail job ``name`` (None: not a mail job)."""
    if name == "mail-outbox":
        return deliver_messages
    for kind in ("daily", "weekly"):
        if name == f"digest-{kind}":
            return _compose_handler(kind)
    return None


def deliver_messages(context: JobContext) -> Outcome:
    """Send what is due in the outbox until none is left (or the job is cancelled)."""
    delivered = context.service.digests.deliver(stop=context.cancel)
    return Outcome(delivered.summary(), complete=delivered.error is None)


def _compose_handler(kind: DigestKind) -> Handler:
    def compose(context: JobContext) -> Outcome:
        service = context.service
        composed = service.digests.compose_issue(
            _scheduled_period(kind, service, context.job.payload.get("slot")))
        deliveries = tuple(context.follow_up(DELIVER_KIND, f"#{number}")
                           for number in range(1, service.settings.job_delivery_jobs + 1))
        return Outcome(f"digest-{kind}: {composed.summary()}", follow_ups=deliveries)

    return compose


def _scheduled_period(kind: DigestKind, service: Papertide, slot: object) -> DigestPeriod:
    """The issue of the job's scheduled time (the latest one when run by hand)."""
    if not isinstance(slot, str):
        return due_period(kind, service.settings, service.clock())
    schedule = digest_schedule(kind, service.settings)
    return period_of(kind, dt.datetime.fromisoformat(slot), service.clock(), schedule)


def _issue_job(kind: DigestKind) -> Action:
    def run(service: Papertide, sources: Sources, cancel: threading.Event | None
            ) -> list[IngestReport]:
        period = due_period(kind, service.settings, service.clock())
        composed, delivered = service.digests.send_issue(period, stop=cancel)
        report = MailJobReport(f"digest-{kind}", text=f"{composed.summary()}; "
                                                      f"{delivered.summary()}")
        report.complete = delivered.error is None and not (cancel and cancel.is_set())
        return [report]

    return run


def _deliver(service: Papertide, sources: Sources, cancel: threading.Event | None
             ) -> list[IngestReport]:
    delivered = service.digests.deliver(stop=cancel)
    report = MailJobReport("mail-outbox", text=delivered.summary())
    report.complete = delivered.error is None
    return [report]
