"""arXiv's rule, measured at the server: one request at a time, a pause between requests,
for every arXiv host, source, thread and process together."""

from __future__ import annotations

import datetime as dt
import fcntl
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from papertide.ingest.api import ingest_arxiv_search
from papertide.ingest.hf import ingest_hf_daily
from papertide.ingest.oai import harvest_arxiv_oai
from papertide.ingest.rss import ingest_arxiv_rss
from papertide.ingest.runtime import ARXIV_LOCK_FILE, build_sources
from papertide.periods import day_period
from papertide.settings import load_settings
from tests.helpers import FIXED_NOW, open_test_app
from tests.ingest.conftest import source_settings
from tests.ingest.recorded import (
    API_EMPTY,
    API_PAGES,
    HF_2026_06_12,
    RSS_FEED,
    json_reply,
    oai_pages,
    page_token,
    paperhive_exchanges,
    recorded,
    xml_reply,
)
from tests.ingest.replay import ATOM, ReplayServer, Reply, SeenRequest, gaps

ARXIV_PATHS = ("/rss/", "/api/query", "/oai")
# Seconds measured on two clocks (client wall clock, server monotonic clock).
TOLERANCE = 0.01


def arxiv_requests(server: ReplayServer) -> list[SeenRequest]:
    return [request for request in server.seen() if request.path.startswith(ARXIV_PATHS)]


def serve_everything(server: ReplayServer, delay: float = 0.0, first_api_delay: float = 0.0
                     ) -> None:
    """The feed, three API pages, three OAI pages and a day of HF papers."""
    pages = oai_pages(2)
    by_token = {page_token(page): following for page, following in itertools.pairwise(pages)}

    def oai(request: SeenRequest) -> Reply:
        token = request.params.get("resumptionToken")
        return Reply(by_token[token] if token else pages[0], delay=delay)

    def api(request: SeenRequest) -> Reply:
        if request.params.get("id_list"):
            return xml_reply(API_EMPTY, delay=delay)
        first = len(server.seen("/api/query")) == 1
        return Reply(recorded(API_PAGES[int(request.params["start"])]), content_type=ATOM,
                     delay=first_api_delay if first else delay)

    server.route("/rss/cs.LG", xml_reply(RSS_FEED, delay=delay))
    server.route("/api/query", api)
    server.route("/oai", oai)
    server.route("/api/daily_papers", json_reply(HF_2026_06_12))


def test_every_arxiv_source_and_thread_shares_one_limit(
    server: ReplayServer, data_dir: Path
) -> None:
    interval = 0.2
    serve_everything(server, delay=0.05)
    service = open_test_app(data_dir, **source_settings(
        server, arxiv_request_interval=str(interval)))
    sources = build_sources(service.settings)
    runs: list[Callable[[], object]] = [
        lambda: ingest_arxiv_rss(service, sources, ["cs.LG"]),
        lambda: ingest_arxiv_search(service, sources, "testing", max_results=30, page_size=10),
        lambda: harvest_arxiv_oai(service, sources, "physics", from_date=dt.date(2014, 10, 1)),
        lambda: ingest_hf_daily(service, sources, day_period(dt.date(2026, 6, 12))),
    ]
    threads = [threading.Thread(target=run) for run in runs]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        sources.close()
        service.close()

    seen = arxiv_requests(server)
    assert len(seen) == 8  # feed + look-up, 3 search pages, 3 OAI pages
    assert len({request.path for request in seen}) == 3
    assert min(gaps(seen)) >= interval - TOLERANCE  # never overlapping, always paused
    assert len(server.seen("/api/daily_papers")) == 1  # Hugging Face is not arXiv


def test_processes_sharing_a_data_dir_share_the_limit(
    server: ReplayServer, cli_env: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    interval = 0.25
    serve_everything(server, delay=0.05)
    env = cli_env | {"PAPERTIDE_ARXIV_REQUEST_INTERVAL": str(interval)}
    commands = [
        ["ingest", "arxiv-api", "--query", "testing", "--max-results", "30", "--page-size", "10"],
        ["ingest", "arxiv-oai", "--set", "physics", "--from", "2014-10-01"],
    ]
    lock_file = data_dir / ARXIV_LOCK_FILE
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    # Hold the processes' shared lock until both wait for it: then they must take turns.
    held = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(held, fcntl.LOCK_EX)
    processes = [subprocess.Popen([sys.executable, "-m", "papertide", *command], env=env,
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, stdin=subprocess.DEVNULL) for command in commands]
    try:
        wait_for_lock_waiters(lock_file, processes, timeout=30)
    finally:
        os.close(held)
    for process in processes:
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err

    seen = sorted(arxiv_requests(server), key=lambda request: request.arrived)
    assert len(seen) == 6
    # Both processes were running at once (they both waited on the lock above), so had
    # they not shared the limiter their requests would overlap. Which one gets the lock
    # next is up to the kernel (flock is not fair), so the order is not asserted.
    assert len({request.path for request in seen}) == 2
    assert min(gaps(seen)) >= interval - TOLERANCE


def wait_for_lock_waiters(lock_file: Path, processes: list[subprocess.Popen[str]],
                          timeout: float) -> None:
    """Until every process is blocked on ``lock_file`` (Linux: /proc/locks)."""
    locks = Path("/proc/locks")
    if not locks.exists():
        pytest.skip("needs /proc/locks to see processes waiting for a lock")
    inode = f":{os.stat(lock_file).st_ino} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args} ended early: {process.communicate()[1]}")
        waiting = [line for line in locks.read_text().splitlines()
                   if "->" in line and inode in line]
        if len(waiting) >= len(processes):
            return
        time.sleep(0.05)
    pytest.fail(f"the processes did not come to wait for the lock in {timeout} s")


def test_retry_after_pauses_every_user_of_the_limit(
    server: ReplayServer, data_dir: Path
) -> None:
    server.route("/oai", paperhive_exchanges(retry_after="1"))
    server.route("/rss/cs.LG", xml_reply(RSS_FEED))
    server.route("/api/query", xml_reply(API_EMPTY))
    service = open_test_app(data_dir, **source_settings(server))
    sources = build_sources(service.settings)
    harvest = threading.Thread(target=lambda: harvest_arxiv_oai(
        service, sources, "cs", "arXiv", dt.date(2015, 1, 1), dt.date(2015, 1, 3)))
    try:
        harvest.start()
        assert server.wait_for(lambda request: request.path == "/oai", 10)
        ingest_arxiv_rss(service, sources, ["cs.LG"])
        harvest.join(10)
    finally:
        sources.close()
        service.close()

    busy, feed = server.seen("/oai")[0], server.seen("/rss/cs.LG")[0]
    assert busy.replying is not None
    assert feed.arrived - busy.replying >= 1.0 - TOLERANCE


def test_production_settings_wait_three_seconds_between_arxiv_requests(
    server: ReplayServer, tmp_path: Path
) -> None:
    defaults = load_settings(environ={"PAPERTIDE_DATA_DIR": str(tmp_path / "data")})
    assert defaults.arxiv_request_interval == 3.0
    assert defaults.arxiv_api_url == "https://export.arxiv.org/api/query"
    # The same settings, only pointed at the local server.
    local = defaults.with_overrides(arxiv_api_url=f"{server.url}/api/query")
    server.route("/api/query", xml_reply(API_EMPTY))
    sources = build_sources(local)
    try:
        assert sources.arxiv_client.limiter.interval == 3.0
        assert sources.api.client is sources.arxiv_client is sources.oai.client
        for _ in range(2):
            sources.api.page(FIXED_NOW, ids=["0000.0000"], size=1)
    finally:
        sources.close()

    (gap,) = gaps(server.seen("/api/query"))
    assert gap >= 3.0 - TOLERANCE
