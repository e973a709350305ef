"""The worker and the scheduler inside ``papertide serve``, as real processes.

Embedding is off here (``job_embed``): ``tests/jobs`` covers it with the shared model."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from papertide.app import Papertide
from papertide.ingest.jobs import load_job_state
from papertide.ingest.runtime import Sources
from papertide.ingest.scheduler import Scheduler
from papertide.jobs.kinds import scheduled_jobs
from tests.helpers import open_test_app
from tests.ingest.conftest import RunCli, source_settings
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

# Generous for a loaded machine (parallel test workers, CI); a passing run takes seconds.
STARTUP_SECONDS = 90


@pytest.fixture
def arxiv_and_hf(server: ReplayServer) -> None:
    pages = oai_pages(3)

    def oai(request: SeenRequest) -> Reply:
        return Reply(pages[1] if request.params.get("resumptionToken") == page_token(pages[0])
                     else pages[0])

    server.route(RSS_FEED_PATH, xml_reply(RSS_FEED))
    server.route("/api/query", xml_reply(API_EMPTY))
    server.route("/api/daily_papers", json_reply(HF_2026_06_12))
    server.route("/oai", oai)


@pytest.mark.usefixtures("arxiv_and_hf")
def test_worker_once_runs_every_job_and_leaves_everything_searchable(
    server: ReplayServer, run_cli: RunCli, data_dir: Path
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    result = run_cli("worker", "--once", job_embed="false")

    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert "arxiv-rss cs.LG+cs.AI+cs.CL+stat.ML 2026-09-24: 4 new, 0 updated" in log
    yesterday = today - dt.timedelta(days=1)
    assert f"hf-daily {yesterday}: 30 new, 0 updated, 0 unchanged" in log
    assert f"hf-daily {today}: 0 new, 0 updated, 30 unchanged" in log
    since = today - dt.timedelta(days=7)
    # The scheduled harvest follows the sets of the followed categories, keeping their papers.
    for oai_set in ("cs", "stat"):
        assert (f"arxiv-oai {oai_set} (arXivRaw) from {since}: 0 new, 0 updated, 0 unchanged, "
                "6 skipped (6 outside the followed categories)") in log
    assert {request.params["set"] for request in server.seen("/oai")
            if "set" in request.params} == {"cs", "stat"}

    app = open_test_app(data_dir, **source_settings(server))
    try:
        assert app.search("drift contract spectral").page.papers[0].arxiv_id == "2609.26811"
        for job in ("arxiv-rss", "hf-daily", "arxiv-oai"):
            assert load_job_state(app.store, job).last_success is not None
    finally:
        app.close()
    listing = run_cli("jobs")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0] == "0 queued, 0 running, 3 done, 0 failed"
    assert [line.split()[1:3] for line in lines[1:] if "-once-" in line] == \
        [["done", "1/1"]] * 3
    assert "arxiv-rss cs.LG+cs.AI+cs.CL+stat.ML 2026-09-24: 4 new" in listing.stdout


def test_worker_once_exits_1_and_the_queue_keeps_the_error(
    server: ReplayServer, run_cli: RunCli
) -> None:
    server.route(RSS_FEED_PATH, Reply(b"gone", 404, "text/plain"))
    result = run_cli("worker", "--once", "--job", "arxiv-rss")
    assert result.returncode == 1
    listing = run_cli("jobs", "--state", "failed")
    assert listing.stdout.splitlines()[0] == "0 queued, 0 running, 0 done, 1 failed"
    assert "error: " in listing.stdout and "HTTP 404" in listing.stdout


@pytest.mark.usefixtures("arxiv_and_hf")
def test_worker_runs_only_the_jobs_asked_for(server: ReplayServer, run_cli: RunCli) -> None:
    result = run_cli("worker", "--once", "--job", "hf-daily", job_embed="false")
    assert result.returncode == 0, result.stderr
    assert {request.path for request in server.seen()} == {"/api/daily_papers"}


def test_a_failed_job_is_remembered_and_stays_due(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    server.route(RSS_FEED_PATH, Reply(b"gone", 404, "text/plain"))
    rss = next(job for job in scheduled_jobs(service.settings) if job.name == "arxiv-rss")
    scheduler = Scheduler(service, sources, [rss], threading.Event())

    assert scheduler.run_job(rss) is False
    state = load_job_state(service.store, "arxiv-rss")
    assert state.last_success is None and "HTTP 404" in (state.last_error or "")


def wait_for_job_success(data_dir: Path, server: ReplayServer, job: str, deadline: float
                         ) -> str:
    """The summary of the job's first successful run, once it has recorded one."""
    app = open_test_app(data_dir, **source_settings(server))
    try:
        while (state := load_job_state(app.store, job)).last_success is None:
            assert time.monotonic() < deadline, f"{job} did not finish"
            time.sleep(0.2)
        return state.last_summary or ""
    finally:
        app.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch_json(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.mark.usefixtures("arxiv_and_hf")
def test_serve_with_the_scheduler_ingests_while_serving(
    server: ReplayServer, cli_env: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--scheduler", "--port", str(port)],
        env=cli_env | {"PAPERTIDE_JOB_EMBED": "false"}, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        status, paper = 0, None
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.3)
            try:
                status, paper = fetch_json(f"http://127.0.0.1:{port}/api/papers/2609.26811")
            except OSError:
                continue
        assert status == 200, "the scheduled RSS run did not make the paper available"
        assert isinstance(paper, dict) and paper["title"].startswith("The Drift Contract")
        summary = wait_for_job_success(data_dir, server, "arxiv-rss", deadline)
        assert "arxiv-rss cs.LG+cs.AI+cs.CL+stat.ML 2026-09-24: 4 new" in summary
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.mark.usefixtures("arxiv_and_hf")
def test_the_worker_catches_up_at_start_and_stops_cleanly_on_sigterm(
    server: ReplayServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    process = subprocess.Popen([sys.executable, "-m", "papertide", "worker"],
                               env=cli_env | {"PAPERTIDE_JOB_EMBED": "false"},
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, stdin=subprocess.DEVNULL)
    try:
        # Never run before: every job is due at once.
        assert server.wait_for(lambda request: request.path == RSS_FEED_PATH, 30)
        assert server.wait_for(lambda request: request.path == "/api/daily_papers", 30)
        assert server.wait_for(lambda request: request.path == "/oai", 30)
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "arxiv-rss: runs at '30 0,6 * * mon-fri' (America/New_York)" in err
