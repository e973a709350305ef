"""The digest jobs in the ingestion scheduler (``papertide worker`` and ``serve --scheduler``)."""

from __future__ import annotations

import threading
from pathlib import Path

from papertide.app import Papertide
from papertide.ingest.jobs import is_due, load_job_state
from papertide.ingest.runtime import opened_sources
from papertide.ingest.scheduler import Scheduler
from papertide.jobs.kinds import scheduled_jobs
from tests.digest.conftest import MutableClock
from tests.digest.smtp import Mailbox
from tests.digest.test_outbox import add_active
from tests.helpers import make_settings


def test_digest_jobs_exist_only_with_an_smtp_server(tmp_path: Path) -> None:
    names = [job.name for job in scheduled_jobs(make_settings(tmp_path))]
    assert not [name for name in names if "digest" in name or "mail" in name]
    with_smtp = scheduled_jobs(make_settings(tmp_path, smtp_host="127.0.0.1"))
    assert {"mail-outbox", "digest-daily", "digest-weekly"} <= {job.name for job in with_smtp}
    paused = scheduled_jobs(make_settings(tmp_path, smtp_host="127.0.0.1",
                                          schedule_digests="false"))
    assert "digest-daily" not in {job.name for job in paused}


def test_the_daily_job_sends_the_due_issue_once_and_is_due_again_tomorrow(
    mail_service: Papertide, mailbox: Mailbox, clock: MutableClock,
) -> None:
    add_active(mail_service, "scheduled@example.org")
    jobs = {job.name: job for job in scheduled_jobs(mail_service.settings)}
    daily = jobs["digest-daily"]
    with opened_sources(mail_service.settings) as sources:
        scheduler = Scheduler(mail_service, sources, [daily], threading.Event(), clock=clock)
        assert scheduler.run_job(daily)
        assert scheduler.run_job(daily)  # again the same day: nothing new is sent
    assert len(mailbox.to("scheduled@example.org")) == 1
    state = load_job_state(mail_service.store, "digest-daily")
    assert not is_due(daily, state, clock())
    clock.advance(days=1)
    assert is_due(daily, state, clock())
