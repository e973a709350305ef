"""The digest jobs of the scheduler (``papertide worker``, ``papertide serve --scheduler``).

- ``digest-daily`` / ``digest-weekly`` at ``digest_hour`` (weekly on
  ``digest_weekly_day``): compose the due issue into the outbox, then deliver.
  Composing an issue again finds it composed, so a catch-up run after a
  restart, or a manual `papertide digest send`, never mails anyone twice;
- ``mail-outbox`` every five minutes: retry deferred messages, send queued
  confirmations that the web server could not.

They exist only when an SMTP server is configured (and ``schedule_digests``
for the digests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from papertide.app import Papertide
from papertide.digest.models import DigestKind
from papertide.digest.periods import digest_schedule, due_period
from papertide.ingest.jobs import Action, Job
from papertide.ingest.report import IngestReport
from papertide.ingest.runtime import Sources
from papertide.ingest.schedule import parse_schedule
from papertide.settings import Settings

OUTBOX_SCHEDULE = "*/5 * * * *"


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
