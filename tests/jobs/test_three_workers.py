"""Three real ``papertide worker`` processes on one PostgreSQL database, one killed with
``kill -9`` in the middle of sending digests, on a machine kept busy by CPU hogs (two per
core, like ``stress --cpu``): every scheduled job runs once, the killed worker's job is
taken over, no live worker's job is, no message goes out twice or gets lost, no source is
fetched twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from papertide.app import open_app
from papertide.settings import load_settings
from tests.cpu_hogs import cpu_hogs
from tests.digest.smtp import Mailbox, Received, smtp_server
from tests.digest.test_outbox import add_active
from tests.ingest.conftest import source_settings
from tests.ingest.recorded import (
    API_EMPTY,
    HF_2026_06_12,
    RSS_FEED,
    RSS_FEED_PATH,
    json_reply,
    oai_pages,
    page_token,
    xml_reply,
)
from tests.ingest.replay import ReplayServer, Reply, SeenRequest
from tests.postgres import test_databases

SUBSCRIBERS = 40
KILL_AT_MESSAGE = 10
DEADLINE_SECONDS = 180  # a starved machine is slow; the test ends as soon as all is done
# Daily schedules, so that no second slot comes due while the test runs.
SCHEDULES = {"schedule_timezone": "UTC", "schedule_arxiv_rss": "30 0 * * *",
             "schedule_hf_daily": "10 3 * * *", "schedule_arxiv_oai": "0 4 * * *",
             "digest_hour": "7", "digest_weekly_day": "mon"}
WORKER = {"job_threads": "1", "job_poll_seconds": "0.2", "job_lease_seconds": "2",
          "job_retry_backoff": "1", "job_delivery_jobs": "2", "job_embed": "false"}
INGESTION = ("arxiv-rss", "hf-daily", "arxiv-oai")


def route_sources(server: ReplayServer) -> None:
    pages = oai_pages(3)

    def oai(request: SeenRequest) -> Reply:
        return Reply(pages[1] if request.params.get("resumptionToken") == page_token(pages[0])
                     else pages[0])

    server.route(RSS_FEED_PATH, xml_reply(RSS_FEED))
    server.route("/api/query", xml_reply(API_EMPTY))
    server.route("/api/daily_papers", json_reply(HF_2026_06_12))
    server.route("/oai", oai)


def settings_environ(server: ReplayServer, smtp_port: int, database_url: str,
                     data_dir: Path) -> dict[str, str]:
    values = {**source_settings(server), **SCHEDULES, **WORKER,
              "data_dir": str(data_dir), "database_url": database_url,
              "smtp_host": "127.0.0.1", "smtp_port": str(smtp_port), "smtp_mode": "plain",
              "mail_from": "digest@papers.example.org",
              "base_url": "https://papers.example.org"}
    return {f"PAPERTIDE_{name.upper()}": value for name, value in values.items()}


def query(database_url: str, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(sql, parameters).fetchall()


class Killer:
    """Kills the worker that sends the n-th message, while it waits for the server's 250."""

    def __init__(self, database_url: str, workers: dict[int, subprocess.Popen[str]]) -> None:
        self.database_url = database_url
        self.workers = workers
        self.seen = 0
        self.killed_pid: int | None = None
        self.held_jobs: list[int] = []

    def __call__(self, received: Received) -> None:
        self.seen += 1
        if self.seen != KILL_AT_MESSAGE:
            return
        (owner,), = query(self.database_url, "SELECT lease_owner FROM outbox "
                          "WHERE recipient = %s AND state = 'sending'", received.recipients[0])
        pid = int(owner.split(":")[1])
        self.held_jobs = [row[0] for row in query(
            self.database_url, "SELECT id FROM jobs WHERE state = 'running' AND "
            "lease_owner LIKE %s", f"%:{pid}:%")]
        os.kill(pid, signal.SIGKILL)
        self.workers[pid].wait(10)  # reaped, as a service manager would
        self.killed_pid = pid


def all_settled(database_url: str) -> bool:
    busy_jobs = query(database_url, "SELECT count(*) FROM jobs WHERE state IN "
                                    "('queued', 'running')")[0][0]
    waiting_mail = query(database_url, "SELECT count(*) FROM outbox WHERE state <> 'sent'")[0][0]
    return bool(busy_jobs == 0 and waiting_mail == 0)


def test_three_workers_share_the_jobs_and_survive_a_kill(
    server: ReplayServer, tmp_path: Path
) -> None:
    route_sources(server)
    database_url = test_databases().fresh_url(str(tmp_path / "shared"))
    mailbox: Mailbox
    with smtp_server() as (mailbox, smtp_port), cpu_hogs():
        seed = open_app(load_settings(settings_environ(server, smtp_port, database_url,
                                                       tmp_path / "seed")))
        try:
            addresses = [f"reader{number:02d}@example.org" for number in range(SUBSCRIBERS)]
            for address in addresses:
                add_active(seed, address, send_empty=True, categories=("cs.LG",))
        finally:
            seed.close()

        base = {key: value for key, value in os.environ.items()
                if not key.startswith("PAPERTIDE_")}
        workers: dict[int, subprocess.Popen[str]] = {}
        killer = Killer(database_url, workers)
        mailbox.data_delay = 0.05  # slow enough to catch a worker in the middle
        mailbox.on_data = killer
        for number in range(3):
            environ = base | settings_environ(server, smtp_port, database_url,
                                              tmp_path / f"worker-{number}")
            process = subprocess.Popen(
                [sys.executable, "-m", "papertide", "worker"], env=environ, cwd=tmp_path,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                stdin=subprocess.DEVNULL)
            workers[process.pid] = process
        try:
            deadline = time.monotonic() + DEADLINE_SECONDS
            while not (killer.killed_pid and all_settled(database_url)):
                assert time.monotonic() < deadline, "the workers did not finish the jobs"
                time.sleep(0.3)
        finally:
            logs = {}
            for pid, process in workers.items():
                if process.poll() is None:
                    process.terminate()
                logs[pid] = process.communicate(timeout=30)[1]
        received = list(mailbox.received)

    killed = killer.killed_pid
    survivors = {pid for pid in workers if pid != killed}
    assert workers[killed].returncode == -signal.SIGKILL
    for pid in survivors:
        assert workers[pid].returncode == 0, logs[pid]

    jobs = query(database_url, "SELECT id, kind, state, attempts, lease_owner, last_error "
                               "FROM jobs ORDER BY id")
    by_kind = Counter(kind for _id, kind, *_rest in jobs)
    # Every scheduled run was queued once, however many workers saw it come due...
    for kind in (*INGESTION, "digest-daily", "digest-weekly"):
        assert by_kind[kind] == 1, by_kind
    # ...and each composed issue queued its two deliveries once.
    assert by_kind["deliver"] == 4
    # Every job finished; the killed worker's job, and only it, took a second attempt,
    # by another worker.
    assert {state for _id, _kind, state, *_rest in jobs} == {"done"}
    assert len(killer.held_jobs) == 1
    taken_over = next(job for job in jobs if job[0] == killer.held_jobs[0])
    _id, _kind, _state, attempts, owner, note = taken_over
    assert attempts == 2 and int(owner.split(":")[1]) in survivors
    assert "lease ran out" in note
    assert [job[0] for job in jobs if job[3] != 1] == [taken_over[0]]

    # No digest went out twice, none was lost.
    assert Counter(address for item in received for address in item.recipients) == \
        Counter(addresses)
    outbox = dict(query(database_url, "SELECT state, count(*) FROM outbox GROUP BY state"))
    assert outbox == {"sent": SUBSCRIBERS}

    # Each source was fetched by one run: the feed once, Hugging Face's two days once each.
    assert len(server.seen(RSS_FEED_PATH)) == 1
    assert len(server.seen("/api/daily_papers")) == 2
    assert query(database_url, "SELECT count(*) FROM papers")[0][0] == 34

    # What an admin sees.
    listing = subprocess.run(
        [sys.executable, "-m", "papertide", "jobs", "--json", "--kind", taken_over[1]],
        env=base | settings_environ(server, smtp_port, database_url, tmp_path / "admin"),
        capture_output=True, text=True, timeout=60, check=True)
    shown = {job["id"]: job for job in json.loads(listing.stdout)["jobs"]}
    assert shown[taken_over[0]]["attempts"] == 2
    assert shown[taken_over[0]]["state"] == "done"

