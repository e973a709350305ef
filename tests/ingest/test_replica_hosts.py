"""Two web hosts and two workers on one PostgreSQL, as real processes.

Each host keeps its own copy of the search index in its own data folder. Papers
the workers harvest from the (replayed) arXiv and Hugging Face feeds become
findable on both hosts; a host killed with ``kill -9`` and started again finds
every paper, each once, including those stored while it was down.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg

from tests.cli.helpers import kaggle_line, write_lines
from tests.helpers import free_port
from tests.ingest.conftest import source_settings
from tests.ingest.replay import ReplayServer
from tests.jobs.test_three_workers import route_sources
from tests.postgres import test_databases

# Bounds, not pauses: each wait ends as soon as its condition holds.
STARTUP_SECONDS = 90
WORKERS_SECONDS = 240
FOUND_SECONDS = 60
ALL_YEARS = "2000"  # a date filter that every announced paper passes: lists them all
PAGE = 50


def environment(server: ReplayServer, database_url: str, data_dir: Path) -> dict[str, str]:
    values = {**source_settings(server), "data_dir": str(data_dir), "database_url": database_url,
              "search_mode": "keyword", "job_embed": "false", "job_threads": "1",
              "job_poll_seconds": "0.2"}
    base = {key: value for key, value in os.environ.items() if not key.startswith("PAPERTIDE_")}
    return base | {f"PAPERTIDE_{name.upper()}": value for name, value in values.items()}


def get_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{url}: {error.code} {error.read().decode()}") from error


@contextmanager
def web_host(env: dict[str, str], cwd: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``papertide serve`` on a free loopback port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"the host exited: {process.communicate()[1]}"
            try:
                get_json(base + "/api/health")
                break
            except (OSError, urllib.error.URLError):
                assert time.monotonic() < deadline, "the host did not answer in time"
                time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=30)


def listed(base: str) -> list[str]:
    """Every paper the host's search lists (all announced papers, newest first)."""
    ids: list[str] = []
    offset = 0
    while True:
        answer = get_json(f"{base}/api/search?q=&from={ALL_YEARS}&sort=date&mode=keyword"
                          f"&limit={PAGE}&offset={offset}")
        ids += [paper["arxiv_id"] for paper in answer["papers"]]
        if not answer["has_more"]:
            return ids
        offset += PAGE


def stored(database_url: str) -> list[str]:
    """The source of truth: every announced paper in the database."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT arxiv_id FROM papers WHERE announced_date IS NOT NULL").fetchall()
    return sorted(row[0] for row in rows)


def wait_until_listed(base: str, expected: list[str]) -> list[str]:
    """What the host lists once it lists every expected paper (or at the deadline)."""
    deadline = time.monotonic() + FOUND_SECONDS
    while True:
        ids = listed(base)
        if sorted(set(ids)) == expected or time.monotonic() > deadline:
            return ids
        time.sleep(0.1)


def run_workers(env_of: list[dict[str, str]], cwd: Path) -> None:
    workers = [subprocess.Popen([sys.executable, "-m", "papertide", "worker", "--once"],
                                env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
               for env in env_of]
    for worker in workers:
        _, errors = worker.communicate(timeout=WORKERS_SECONDS)
        assert worker.returncode == 0, errors


def test_papers_harvested_by_workers_are_found_on_every_host_even_after_a_kill(
    server: ReplayServer, tmp_path: Path
) -> None:
    route_sources(server)
    database_url = test_databases().fresh_url(str(tmp_path / "shared"))
    env = {name: environment(server, database_url, tmp_path / name)
           for name in ("host-a", "host-b", "worker-1", "worker-2", "importer")}
    with ExitStack() as hosts:
        base_a, _ = hosts.enter_context(web_host(env["host-a"], tmp_path))
        base_b, process_b = hosts.enter_context(web_host(env["host-b"], tmp_path))

        run_workers([env["worker-1"], env["worker-2"]], tmp_path)

        harvested = stored(database_url)
        assert len(harvested) >= 30  # the feeds' papers, whichever worker stored them
        for base in (base_a, base_b):
            ids = wait_until_listed(base, harvested)
            assert sorted(ids) == harvested  # every paper, each once
            health = get_json(base + "/api/health")
            assert health["search_index"] == "ready"
        assert (tmp_path / "host-a" / "search-index").is_dir()
        assert (tmp_path / "host-b" / "search-index").is_dir()

        process_b.send_signal(signal.SIGKILL)
        process_b.wait(30)
        more = write_lines(tmp_path / "more.jsonl", [
            kaggle_line(f"2612.{number:05d}", f"Quokka grin survey {number}",
                        categories="q-bio.PE", update_date="2026-12-01")
            for number in range(1, 41)])
        imported = subprocess.run([sys.executable, "-m", "papertide", "import", str(more)],
                                  env=env["importer"], cwd=tmp_path, capture_output=True,
                                  text=True, timeout=120)
        assert imported.returncode == 0, imported.stderr
        everything = stored(database_url)
        assert len(everything) == len(harvested) + 40

        base_b, _ = hosts.enter_context(web_host(env["host-b"], tmp_path))  # started again
        for base in (base_a, base_b):
            ids = wait_until_listed(base, everything)
            assert sorted(ids) == everything
            found = get_json(f"{base}/api/search?q=quokka+grin&mode=keyword&limit=50")
            assert found["total"] == 40
