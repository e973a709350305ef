"""Writing small input files for CLI tests, and `papertide serve` on a loopback port."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import free_port

STARTUP_SECONDS = 60


def kaggle_line(arxiv_id: str, title: str, **fields: Any) -> str:
    """One line in the Kaggle arXiv snapshot format."""
    record: dict[str, Any] = {
        "id": arxiv_id,
        "title": title,
        "authors": fields.pop("authors", "Ada Lovelace and Alan Turing"),
        "abstract": fields.pop("abstract", f"An abstract about {title.lower()}."),
        "categories": fields.pop("categories", "cs.LG cs.AI"),
        "versions": fields.pop("versions", [{"version": "v1",
                                             "created": "Mon, 3 Mar 2025 10:00:00 GMT"}]),
        "update_date": fields.pop("update_date", "2025-03-03"),
    }
    record.update(fields)
    return json.dumps(record)


def write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode()
            return response.status, response.headers.get("content-type", ""), body
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode()


@contextmanager
def served(env: dict[str, str], cwd: Path, *options: str) -> Iterator[str]:
    """`papertide serve` (with ``options``) on a free loopback port, until the block ends;
    yields its base URL once it answers ``/api/health``."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port),
         *options],
        env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
