"""A newcomer's first run: `papertide serve --sample` on an empty data dir answers by
meaning from the start, with authors, categories and front-page signals on the papers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papertide.embed.export import export_folder_name
from papertide.embed.onnx import OnnxEmbedder
from tests.helpers import data_dir_environment, free_port, stop_server

# Generous: importing 11,000 papers on a busy 2-core machine takes tens of seconds.
DEADLINE_SECONDS = 240


def get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def sample_server(tmp_path: Path, models_dir: Path, embedder: OnnxEmbedder) -> Iterator[str]:
    """The server of a fresh data dir; the model's export (done once per test session, and
    once per data dir in real use) is shared so that this test measures the sample."""
    data_dir = tmp_path / "data"
    exported = export_folder_name("all-MiniLM-L6-v2", "int8")
    embedder.embed_query("warm")  # the session's export exists
    (data_dir / "models").mkdir(parents=True)
    (data_dir / "models" / exported).symlink_to(models_dir / exported)
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith("PAPERTIDE_")}
    environ |= data_dir_environment(data_dir) | {"HF_HUB_OFFLINE": "1"}
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--sample", "--host", "127.0.0.1",
         "--port", str(port)],
        env=environ, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


def first_semantic_answer(base: str, query: str) -> dict[str, Any]:
    """Poll the search API until the server is up and answers by meaning (or time is up)."""
    url = f"{base}/api/search?" + urllib.parse.urlencode({"q": query, "mode": "semantic"})
    deadline = time.monotonic() + DEADLINE_SECONDS
    answer: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            status, answer = get_json(url)
        except OSError:
            time.sleep(0.5)  # not listening yet: the sample is being imported
            continue
        assert status == 200, answer
        if answer["mode"] == "semantic" and answer["fallback"] is None:
            return answer
        time.sleep(0.5)
    pytest.fail(f"no semantic answer in {DEADLINE_SECONDS} s; the last: "
                f"{answer.get('mode')}, {answer.get('fallback')}")


def test_a_fresh_sample_server_answers_by_meaning_with_real_metadata(sample_server: str) -> None:
    answer = first_semantic_answer(sample_server, "teaching robots to grasp objects")

    top = answer["results"][:10]
    assert len(top) == 10
    assert any("robot" in (hit["title"] + (hit["abstract"] or "")).lower() for hit in top)

    trending = get_json(f"{sample_server}/api/trending?window=week&limit=50")[1]["papers"]
    assert len(trending) == 50
    assert all(paper["signals"]["front_page"] for paper in trending)
    assert sum(1 for paper in trending if paper["authors"] and paper["categories"]) >= 40

    similar = get_json(f"{sample_server}/api/papers/{trending[0]['arxiv_id']}/similar")[1]
    assert similar["notice"] is None and len(similar["results"]) == 10

    category = trending[0]["primary_category"]
    by_category = get_json(f"{sample_server}/api/search?" + urllib.parse.urlencode(
        {"q": f"cat:{category}", "limit": 5}))[1]
    assert by_category["total"] > 0
    assert all(category in hit["categories"] for hit in by_category["results"])
