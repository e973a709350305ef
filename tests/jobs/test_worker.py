"""Workers inside the test process: schedules queued once, jobs run, retried, given back,
and the embedding an ingestion run leads to."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide, open_app
from papertide.embed.onnx import OnnxEmbedder
from papertide.ingest.runtime import Sources, build_sources
from papertide.jobs.kinds import job_kinds
from papertide.jobs.worker import Worker
from tests.digest.conftest import MutableClock
from tests.helpers import FIXED_NOW, make_settings
from tests.ingest.conftest import source_settings
from tests.ingest.recorded import (
    HF_2026_06_12,
    RSS_FEED,
    RSS_FEED_PATH,
    json_reply,
    recorded,
    xml_reply,
)
from tests.ingest.replay import ReplayServer, Reply

SCHEDULES = {"schedule_timezone": "UTC", "schedule_arxiv_rss": "30 0,6 * * mon-fri",
             "schedule_hf_daily": "10 * * * *", "schedule_arxiv_oai": "0 3 * * *",
             "smtp_host": "127.0.0.1", "smtp_port": "2525", "smtp_mode": "plain",
             "mail_from": "digest@papers.example.org", "digest_hour": "7",
             "digest_weekly_day": "mon"}
OpenWorker = Callable[..., Worker]


@pytest.fixture
def open_worker(tmp_path: Path, server: ReplayServer) -> Iterator[OpenWorker]:
    """Workers on one data folder (one database), as separate processes would run."""
    opened: list[tuple[Papertide, Sources]] = []

    def open_one(clock: Callable[[], dt.datetime] = lambda: FIXED_NOW,
                 embedder: OnnxEmbedder | None = None, **environ: str) -> Worker:
        settings = make_settings(tmp_path / "data", **{**source_settings(server), **environ})
        service = open_app(settings, clock=clock, embedder=embedder)
        sources = build_sources(settings)
        opened.append((service, sources))
        return Worker(service, sources, job_kinds(settings), threading.Event())

    yield open_one
    for service, sources in opened:
        sources.close()
        service.close()


def test_each_schedule_slot_is_queued_once_by_many_workers(open_worker: OpenWorker) -> None:
    clock = MutableClock(FIXED_NOW)  # Thursday 2026-11-26 12:00 UTC
    workers = [open_worker(clock, **SCHEDULES) for _ in range(3)]
    added = [worker.queue_due_slots() for worker in workers]

    store = workers[0].service.store
    assert sorted(record.key for record in store.job_records(50)) == [
        "arxiv-oai@2026-11-26T03:00Z",      # daily at 03:00
        "arxiv-rss@2026-11-26T06:30Z",      # 00:30 and 06:30 on weekdays
        "digest-daily@2026-11-26T07:00Z",   # digest_hour
        "digest-weekly@2026-11-23T07:00Z",  # Monday's
        "hf-daily@2026-11-26T11:10Z",       # hourly at :10
        "mail-outbox@2026-11-26T12:00Z",    # every five minutes
    ]
    assert len(added[0]) == 6 and added[1:] == [[], []]

    clock.advance(hours=1)
    for worker in reversed(workers):
        worker.queue_due_slots()
    assert sorted(record.key for record in store.job_records(50, kinds=["hf-daily",
                                                                         "mail-outbox"])) == [
        "hf-daily@2026-11-26T11:10Z", "hf-daily@2026-11-26T12:10Z",
        "mail-outbox@2026-11-26T12:00Z", "mail-outbox@2026-11-26T13:00Z"]
    assert len(store.job_records(50)) == 8


def test_an_ingestion_run_leads_to_embedding_its_new_papers(
    open_worker: OpenWorker, server: ReplayServer, embedder: OnnxEmbedder
) -> None:
    server.route("/api/daily_papers", json_reply(HF_2026_06_12))
    worker = open_worker(embedder=embedder, search_mode="hybrid")

    assert worker.run_once(["hf-daily"])

    store = worker.service.store
    ingest, = store.job_records(10, kinds=["hf-daily"])
    embed, = store.job_records(10, kinds=["embed"])
    assert ingest.state == embed.state == "done"
    assert embed.parent_id == ingest.id and embed.key == f"embed@{ingest.key}"
    assert "30 new" in (ingest.result or "")
    assert embed.result == "embed: 30 papers embedded, 0 unchanged, 0 waiting"
    status = worker.service.embedding_status()
    assert status.total == status.embedded == 30


def test_a_failing_job_is_retried_then_marked_failed_with_its_error(
    open_worker: OpenWorker, server: ReplayServer
) -> None:
    server.route(RSS_FEED_PATH, Reply(b"gone", 404, "text/plain"))
    worker = open_worker(job_max_attempts="2", job_retry_backoff="0", **SCHEDULES)
    worker.queue_due_slots()
    runs = []
    while (job := worker.queue.claim(kinds=["arxiv-rss"])) is not None:
        runs.append(worker.runner.run(job).settled)

    assert runs == ["retrying", "failed"]
    record, = worker.service.store.job_records(5, kinds=["arxiv-rss"])
    assert record.state == "failed" and record.attempts == 2
    assert "HTTP 404" in (record.last_error or "")
    assert len(server.seen(RSS_FEED_PATH)) == 2


def test_a_stopping_worker_gives_its_job_back_after_the_batch_it_stored(
    open_worker: OpenWorker, server: ReplayServer
) -> None:
    server.route(RSS_FEED_PATH, Reply(recorded(RSS_FEED), delay=1.0))
    server.route("/api/query", xml_reply("arxiv-api/id_0000.0000_s0_m100_8b51d9633a68.xml"))
    worker = open_worker(**SCHEDULES)
    worker.queue_due_slots()
    job = worker.queue.claim(kinds=["arxiv-rss"])
    assert job is not None
    result: list[str] = []
    running = threading.Thread(target=lambda: result.append(worker.runner.run(job).settled))
    running.start()
    assert server.wait_for(lambda request: request.path == RSS_FEED_PATH, 10)
    worker.stop.set()  # SIGTERM
    running.join(30)

    assert result == ["released"]
    record = worker.service.store.get_job(job.id)
    assert record is not None and record.state == "queued" and record.attempts == 0
    assert worker.service.store.count_papers() == 4  # the batch it had stored stays
