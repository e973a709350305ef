"""Two runs of one source never overlap, across processes; abandoned leases are taken over."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys

import pytest

from papertide.app import Papertide
from papertide.exceptions import RunBusyError
from papertide.ingest.rss import ingest_arxiv_rss
from papertide.ingest.runtime import Sources
from papertide.store.run_leases import LEASE_PREFIX, acquire_lease
from tests.ingest.conftest import RunCli
from tests.ingest.recorded import API_EMPTY, RSS_FEED, RSS_FEED_PATH, xml_reply
from tests.ingest.replay import ReplayServer

CATEGORIES = ["cs.LG", "cs.AI", "cs.CL", "stat.ML"]


@pytest.fixture(autouse=True)
def feed(server: ReplayServer) -> None:
    server.route(RSS_FEED_PATH, xml_reply(RSS_FEED))
    server.route("/api/query", xml_reply(API_EMPTY))


def write_lease(service: Papertide, source: str, host: str, pid: int, renewed: dt.datetime
                ) -> None:
    service.store.set_meta(LEASE_PREFIX + source, json.dumps({
        "owner": "someone-else", "host": host, "pid": pid,
        "started_at": renewed.isoformat(), "renewed_at": renewed.isoformat()}))


def test_a_run_does_not_start_while_the_same_source_runs(
    server: ReplayServer, service: Papertide, sources: Sources
) -> None:
    held = acquire_lease(service.store, "arxiv-rss")
    try:
        with pytest.raises(RunBusyError, match=rf"arxiv-rss is already running \(process "
                                               rf"{os.getpid()} on "):
            ingest_arxiv_rss(service, sources, CATEGORIES)
    finally:
        held.release()
    assert server.seen() == []
    assert ingest_arxiv_rss(service, sources, CATEGORIES).counts.new == 4


def test_another_source_may_run_meanwhile(
    service: Papertide, sources: Sources
) -> None:
    held = acquire_lease(service.store, "arxiv-oai")
    try:
        assert ingest_arxiv_rss(service, sources, CATEGORIES).counts.new == 4
    finally:
        held.release()


def test_the_command_says_so_and_fails_while_another_process_runs_it(
    server: ReplayServer, service: Papertide, run_cli: RunCli
) -> None:
    held = acquire_lease(service.store, "arxiv-rss")  # held by this (live) test process
    try:
        result = run_cli("ingest", "arxiv-rss")
    finally:
        held.release()
    assert result.returncode == 1
    assert "arxiv-rss is already running" in result.stderr
    assert server.seen() == []


def test_a_lease_left_by_a_killed_process_is_taken_over(
    service: Papertide, sources: Sources
) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    write_lease(service, "arxiv-rss", socket.gethostname(), int(gone.stdout),
                dt.datetime.now(dt.UTC))
    assert ingest_arxiv_rss(service, sources, CATEGORIES).counts.new == 4


def test_a_lease_from_another_host_counts_until_it_is_left_unrenewed(
    service: Papertide, sources: Sources
) -> None:
    now = dt.datetime.now(dt.UTC)
    write_lease(service, "arxiv-rss", "other-host.example", 4242, now - dt.timedelta(minutes=5))
    with pytest.raises(RunBusyError, match=r"other-host\.example"):
        ingest_arxiv_rss(service, sources, CATEGORIES)

    write_lease(service, "arxiv-rss", "other-host.example", 4242, now - dt.timedelta(hours=2))
    assert ingest_arxiv_rss(service, sources, CATEGORIES).counts.new == 4
