"""`papertide serve --workers 2`: two web processes on one port, one site.

Requests land on either process: a session made anywhere works everywhere, a
vote counts once whoever takes it, and papers imported while the site runs
become findable in every process (each reads the index the first one writes;
no process keeps search results from before the change).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from papertide.app import open_app
from tests.cli.conftest import RunCli
from tests.cli.helpers import kaggle_line, served, write_lines
from tests.helpers import make_settings

REQUESTS = 12  # enough that both processes answer some
FOLLOW_SECONDS = 30  # a bound, not a pause


def test_two_processes_serve_one_site(run_cli: RunCli, cli_env: dict[str, str],
                                      tmp_path: Path) -> None:
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line(f"2503.{number:05d}", f"Wombat burrow study {number}", categories="q-bio.PE")
        for number in range(1, 31)])
    assert run_cli("import", str(papers)).returncode == 0
    service = open_app(make_settings(tmp_path / "data"))
    try:
        accounts = service.community.accounts
        accounts.add_user("reader@example.org", admin=False)
        link = accounts.sign_in_link("reader@example.org")
        cookie = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0]).cookie
        viewer = accounts.viewer(cookie)
        assert viewer is not None
        csrf = accounts.csrf_token("session:" + viewer.session_hash)
    finally:
        service.close()
    env = {**cli_env, "PAPERTIDE_SEARCH_MODE": "keyword"}
    with served(env, tmp_path, "--workers", "2") as base, \
            httpx.Client(base_url=base, timeout=30,
                         cookies={"papertide_session": cookie}) as client:
        for _ in range(REQUESTS):  # signed in, whichever process answers
            assert "reader@example.org" in client.get("/library").text
        for action in ("up", "remove", "up"):
            voted = client.post("/votes/2503.00007", data={"csrf_token": csrf,
                                                           "action": action},
                                headers={"Accept": "application/json"})
            assert voted.status_code == 200
        assert voted.json() == {"arxiv_id": "2503.00007", "votes": 1, "voted": True}

        for _ in range(REQUESTS):  # every process answers (and keeps) this search
            found = client.get("/api/search", params={"q": "quokka"}).json()
            assert found["total"] == 0
        more = write_lines(tmp_path / "more.jsonl", [
            kaggle_line("2503.00099", "Quokka smiles in the wild", categories="q-bio.PE")])
        assert run_cli("import", str(more)).returncode == 0
        # On PostgreSQL the host's copy of the index follows the commit within moments.
        deadline = time.monotonic() + FOLLOW_SECONDS
        while client.get("/api/search", params={"q": "quokka"}).json()["total"] == 0:
            assert time.monotonic() < deadline, "the import never became searchable"
            time.sleep(0.1)
        for _ in range(REQUESTS):
            found = client.get("/api/search", params={"q": "quokka"}).json()
            assert [hit["arxiv_id"] for hit in found["results"]] == ["2503.00099"]
        health = json.loads(client.get("/api/health").text)
        assert health["papers"] == 31 and health["search_index"] == "ready"
