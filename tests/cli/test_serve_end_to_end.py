"""`papertide serve` as a real process on a loopback port, fetched over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import RunCli
from tests.cli.helpers import kaggle_line, write_lines
from tests.helpers import free_port, stop_server

STARTUP_SECONDS = 60


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode()
            return response.status, response.headers.get("content-type", ""), body
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode()


@pytest.fixture
def server(run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line("2503.00001", "Quokka detection in the wild", categories="cs.CV"),
        kaggle_line("2503.00002", "Wombat language models", categories="cs.CL", versions=[
            {"version": "v1", "created": "Tue, 4 Mar 2025 10:00:00 GMT"}]),
    ])
    assert run_cli("import", str(papers)).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=cli_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"server exited early: {output}")
            try:
                if fetch(base + "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not answer in time")
            time.sleep(0.2)
        yield base
    finally:
        stop_server(process, 20)


def test_served_pages_feeds_and_api(server: str) -> None:
    status, kind, home = fetch(server + "/")
    assert status == 200 and kind.startswith("text/html")
    assert "Wombat language models" in home  # the latest day (announced 2025-03-05)
    assert "Mar 5" in home

    status, _, day = fetch(server + "/papers/date/2025-03-04")
    assert status == 200 and "Quokka detection in the wild" in day

    status, kind, paper = fetch(server + "/api/papers/2503.00001")
    assert status == 200 and kind.startswith("application/json")
    assert json.loads(paper)["title"] == "Quokka detection in the wild"

    status, _, results = fetch(server + "/api/search?q=wombat&limit=5")
    assert status == 200
    assert [hit["arxiv_id"] for hit in json.loads(results)["results"]] == ["2503.00002"]

    status, kind, feed = fetch(server + "/feed.atom")
    assert status == 200 and "atom" in kind and "Wombat language models" in feed

    status, kind, missing = fetch(server + "/api/papers/2503.09999")
    assert status == 404 and kind.startswith("application/json")
    assert json.loads(missing) == {"status": 404, "message": json.loads(missing)["message"]}
