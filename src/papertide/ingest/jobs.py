"""The scheduled ingestion jobs, built from the settings, and what each remembers of its last run.

``Job`` is the shape of every scheduled job; other areas (the digests) build
theirs on it, and ``papertide.jobs.kinds`` puts them all together.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

from papertide.app import Papertide
from papertide.cron import CronSchedule, parse_schedule
from papertide.exceptions import ConfigError
from papertide.ingest.hf import ingest_hf_daily
from papertide.ingest.oai import harvest_arxiv_oai
from papertide.ingest.report import IngestReport
from papertide.ingest.rss import ingest_arxiv_rss
from papertide.ingest.runtime import Sources
from papertide.periods import day_period
from papertide.settings import Settings
from papertide.store.base import Store

JOB_STATE_PREFIX = "ingest.job."
# The hourly Hugging Face run follows yesterday's page too: upvotes keep coming for days.
HF_DAYS_FOLLOWED = 2
Action = Callable[[Papertide, Sources, threading.Event | None], list[IngestReport]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    setting: str
    schedule: CronSchedule | None
    action: Action


@dataclass(frozen=True, slots=True)
class JobState:
    """Kept in the meta table so that a restarted worker knows what is due."""

    last_success_start: str | None = None
    last_attempt: str | None = None
    last_error: str | None = None
    last_summary: str | None = None

    @property
    def last_success(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.last_success_start) if self.last_success_start \
            else None


def ingest_jobs(settings: Settings) -> list[Job]:
    """Every ingestion job, enabled or not (``schedule`` None when its setting says off)."""
    categories = settings.followed_categories
    if not categories:
        raise ConfigError("arxiv_categories is empty: name at least one category to follow")

    def arxiv_rss(service: Papertide, sources: Sources, cancel: threading.Event | None
                  ) -> list[IngestReport]:
        return [ingest_arxiv_rss(service, sources, categories, cancel=cancel)]

    def hf_daily(service: Papertide, sources: Sources, cancel: threading.Event | None
                 ) -> list[IngestReport]:
        today = service.clock().date()
        days = [today - dt.timedelta(days=back) for back in range(HF_DAYS_FOLLOWED - 1, -1, -1)]
        return [ingest_hf_daily(service, sources, day_period(day), cancel=cancel) for day in days]

    def arxiv_oai(service: Papertide, sources: Sources, cancel: threading.Event | None
                  ) -> list[IngestReport]:
        return [harvest_arxiv_oai(service, sources, set_spec, settings.oai_metadata_format,
                                  categories=categories, cancel=cancel)
                for set_spec in settings.followed_oai_sets]

    specs: list[tuple[str, str, Action]] = [
        ("arxiv-rss", "schedule_arxiv_rss", arxiv_rss),
        ("hf-daily", "schedule_hf_daily", hf_daily),
        ("arxiv-oai", "schedule_arxiv_oai", arxiv_oai),
    ]
    return [
        Job(name, setting,
            parse_schedule(getattr(settings, setting), settings.schedule_timezone, setting), action)
        for name, setting, action in specs
    ]


def is_due(job: Job, state: JobState, now: dt.datetime,
           retry_not_before: dt.datetime | None = None) -> bool:
    """Due when a scheduled time has passed since the last successful start (or never ran)."""
    if job.schedule is None:
        return False
    if retry_not_before is not None and now < retry_not_before:
        return False
    last = state.last_success
    return last is None or job.schedule.next_after(last) <= now


def load_job_state(store: Store, name: str) -> JobState:
    text = store.get_meta(JOB_STATE_PREFIX + name)
    if not text:
        return JobState()
    try:
        return JobState(**json.loads(text))
    except (ValueError, TypeError):
        return JobState()


def save_job_state(store: Store, name: str, state: JobState) -> None:
    store.set_meta(JOB_STATE_PREFIX + name, json.dumps(asdict(state)))
