"""Fifty readers comment at once on a real `papertide serve`: no comment is lost or doubled."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from papertide.app import open_app
from tests.cli.conftest import RunCli
from tests.cli.helpers import STARTUP_SECONDS, fetch, kaggle_line, write_lines
from tests.helpers import free_port, make_settings

READERS = 50
PAPER = "2503.00001"


@pytest.fixture
def served(run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path
           ) -> Iterator[tuple[str, list[str]]]:
    """The server's address and one signed-in session cookie per reader."""
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line(PAPER, "Quokka detection in the wild", categories="cs.CV")])
    assert run_cli("import", str(papers)).returncode == 0
    service = open_app(make_settings(tmp_path / "data"))
    try:
        accounts = service.community.accounts
        cookies = [accounts.complete_sign_in(
            accounts.sign_in_link(f"reader{number}@example.org").split("token=")[1]).cookie
            for number in range(READERS)]
    finally:
        service.close()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=cli_env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, "the server exited early"
            try:
                if fetch(base + "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.2)
        yield base, cookies
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_fifty_readers_posting_at_once_lose_and_double_no_comment(
    served: tuple[str, list[str]],
) -> None:
    base, cookies = served
    start = threading.Barrier(READERS)
    answers: dict[int, list[int]] = {}
    failures: list[str] = []

    def reader(number: int) -> None:
        with httpx.Client(base_url=base, cookies={"papertide_session": cookies[number]},
                          timeout=60) as client:
            token = client.get(f"/api/papers/{PAPER}/comments").json()["csrf_token"]
            payload = {"body": f"Comment number {number}", "post_key": f"reader-{number}"}
            start.wait()
            statuses = []
            for _ in range(2):  # the second is a retry of the same post, as after a timeout
                response = client.post(f"/api/papers/{PAPER}/comments", json=payload,
                                       headers={"X-CSRF-Token": token})
                statuses.append(response.status_code)
                if response.status_code not in (200, 201):
                    failures.append(f"reader {number}: {response.status_code} {response.text}")
            answers[number] = statuses

    threads = [threading.Thread(target=reader, args=(number,)) for number in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(statuses == [201, 200] for statuses in answers.values()), answers
    listed = httpx.get(f"{base}/api/papers/{PAPER}/comments", timeout=30).json()
    bodies = sorted(comment["body"] for comment in listed["comments"])
    assert bodies == sorted(f"Comment number {number}" for number in range(READERS))
    assert listed["count"] == READERS
