"""`papertide serve` as a real process on a loopback port, fetched over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import RunCli
from tests.cli.helpers import kaggle_line, write_lines
from tests.cli.serving import fetch, served


@pytest.fixture
def server(run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line("2503.00001", "Quokka detection in the wild", categories="cs.CV"),
        kaggle_line("2503.00002", "Wombat language models", categories="cs.CL", versions=[
            {"version": "v1", "created": "Tue, 4 Mar 2025 10:00:00 GMT"}]),
    ])
    assert run_cli("import", str(papers)).returncode == 0
    with served(cli_env, tmp_path) as base:
        yield base


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
