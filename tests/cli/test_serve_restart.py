"""After a crash that lost the search index, `papertide serve` answers at once.

Re-indexing 71,000 papers once kept the port closed for 42 s. The server now
opens its port first and catches up in the background; meanwhile health and
search pages say the index is catching up. Another process holding the index
(as an import does) keeps it behind for as long as the test wants, so nothing
here depends on how fast indexing is.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from papertide.search.tantivy_index import TantivyIndex
from tests.cli.conftest import RunCli
from tests.cli.helpers import fetch, kaggle_line, served, write_lines

CATCH_UP_SECONDS = 60


def health(base: str) -> dict[str, object]:
    status, _, body = fetch(base + "/api/health")
    assert status == 200
    answer: dict[str, object] = json.loads(body)
    return answer


@pytest.mark.sqlite_only  # the tantivy index folder; PostgreSQL searches in the database
def test_the_port_opens_before_the_index_is_rebuilt(run_cli: RunCli, cli_env: dict[str, str],
                                                    tmp_path: Path) -> None:
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line(f"2503.{number:05d}", f"Wombat burrow study {number}", categories="q-bio.PE")
        for number in range(1, 201)])
    assert run_cli("import", str(papers)).returncode == 0
    index_dir = tmp_path / "data" / "search-index"
    shutil.rmtree(index_dir)  # lost in the crash
    holder = TantivyIndex(index_dir)
    holder.replace_papers([])  # holds the index's writer lock, as an import would
    try:
        with served(cli_env, tmp_path) as base:
            behind = health(base)
            assert behind["search_index"] == "catching up"
            assert isinstance(behind["search_index_behind"], int)
            assert behind["search_index_behind"] >= 200
            assert behind["papers"] == 200
            status, _, page = fetch(base + "/search?q=wombat+burrow&mode=keyword")
            assert status == 200 and "The search index is catching up" in page
            status, _, api = fetch(base + "/api/search?q=wombat+burrow&mode=keyword")
            assert status == 200
            assert any("catching up" in notice for notice in json.loads(api)["notices"])

            holder.close()  # the other process is done: the server catches up by itself
            deadline = time.monotonic() + CATCH_UP_SECONDS
            while health(base)["search_index"] != "ready":
                assert time.monotonic() < deadline, "the index never caught up"
                time.sleep(0.2)
            status, _, page = fetch(base + "/search?q=wombat+burrow&mode=keyword")
            assert "The search index is catching up" not in page
            assert "Wombat burrow study 17" in page
    finally:
        holder.close()
