"""Slow work never stalls the site: a big library import and a held database.

The app runs under uvicorn (one event loop, as in production) while a 10,000-entry
library is imported or another writer holds SQLite's write lock; ``/api/health``
must keep answering throughout, and a vote gets its answer or a clear 503.
Whether the import is still running is read from its progress page, not guessed
from the clock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.web.conftest import Corpus, open_loaded_service
from tests.web.live import serving
from tests.write_lock import held_write_lock

# a request that takes this long is a hang (a stalled loop took 8 to 24 s)
HANG_SECONDS = 5.0
ENTRIES = 10_000


@dataclass
class Site:
    base: str
    service: Papertide
    cookie: str
    csrf: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=HANG_SECONDS,
                            cookies={"papertide_session": self.cookie})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with open_site(tmp_path) as opened:
        yield opened


@contextmanager
def open_site(tmp_path: Path, **environ: str) -> Iterator[Site]:
    """The app under uvicorn with a signed-in reader; ``environ`` as in ``make_settings``."""
    service = open_loaded_service(tmp_path / "data", **environ)
    accounts = service.community.accounts
    accounts.add_user("reader@example.org", admin=False)
    link = accounts.sign_in_link("reader@example.org")
    signed = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0])
    viewer = accounts.viewer(signed.cookie)
    assert viewer is not None
    csrf = accounts.csrf_token("session:" + viewer.session_hash)
    try:
        with serving(create_web_app(service)) as base:
            yield Site(base, service, signed.cookie, csrf)
    finally:
        service.close()


def big_bibtex(titles: list[str]) -> bytes:
    """10,000 references found by title only (each one a keyword search), a few stored."""
    entries = [f"@article{{known{number},\n  title = {{{title}}},\n  year = {{2026}}\n}}\n"
               for number, title in enumerate(titles)]
    entries += [f"@article{{ref{number},\n  title = {{Unfindable study number {number} of "
                f"quantum gravity wombats}},\n  year = {{2020}}\n}}\n"
                for number in range(ENTRIES - len(titles))]
    return "\n".join(entries).encode()


def job_state(client: httpx.Client, location: str) -> str:
    page = client.get(location)
    assert page.status_code == 200
    heading = re.search(r"<h1>(.*?)</h1>", page.text, re.S)
    assert heading is not None
    return heading.group(1).strip()


def test_health_answers_while_a_10k_entry_library_import_runs(site: Site,
                                                                corpus: Corpus) -> None:
    titles = sorted(corpus.titles_on(*sorted(corpus.hf_by_day)[:2]))
    with site.client() as client:
        upload = client.post("/library/import", data={"csrf_token": site.csrf},
                             files={"file": ("refs.bib", big_bibtex(titles), "text/plain")})
        assert upload.status_code == 303
        location = upload.headers["location"]
        assert location.startswith("/library/import/")

        answered_during_import = 0
        state = job_state(client, location)
        while state.startswith("Importing"):
            health = client.get("/api/health")
            assert health.status_code == 200 and health.json()["status"] == "ok"
            state = job_state(client, location)
            if state.startswith("Importing"):  # health answered between two "running" reads
                answered_during_import += 1
        assert answered_during_import > 0
        assert state == "Library imported"
        report = client.get(location).text
        assert f"{ENTRIES:,} references read (bibtex)" in report
        assert f"{len(titles):,} added to your library" in report
        assert f"{ENTRIES - len(titles):,} not found in this papertide" in report
        assert "and 9," in report  # only the first 500 unmatched are listed


def test_someone_elses_import_and_a_made_up_one_are_not_shown(site: Site) -> None:
    with site.client() as client:
        upload = client.post("/library/import", data={"csrf_token": site.csrf},
                             files={"file": ("refs.bib", big_bibtex([])[:200_000], "text/plain")})
        location = upload.headers["location"]
        accounts = site.service.community.accounts
        accounts.add_user("other@example.org", admin=False)
        link = accounts.sign_in_link("other@example.org")
        other = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0])
        with httpx.Client(base_url=site.base, timeout=HANG_SECONDS,
                          cookies={"papertide_session": other.cookie}) as stranger:
            assert stranger.get(location).status_code == 404
        assert client.get("/library/import/../../etc").status_code == 404
        assert client.get("/library/import/not-a-job-id-at-all-0000").status_code == 404


def vote(site: Site, answers: list[httpx.Response]) -> threading.Thread:
    def post() -> None:
        with httpx.Client(base_url=site.base, timeout=60,
                          cookies={"papertide_session": site.cookie}) as client:
            answers.append(client.post("/votes/2602.23152",
                                       data={"csrf_token": site.csrf, "action": "up"},
                                       headers={"Accept": "application/json"}))

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_a_vote_waits_for_another_writer_without_stalling_the_site(tmp_path: Path) -> None:
    answers: list[httpx.Response] = []
    # the longest wait allowed, so that the vote outlasts the page views below
    with open_site(tmp_path, web_write_wait_seconds="10") as site:
        with held_write_lock(site.service.store):
            voting = vote(site, answers)
            with site.client() as client:
                for _ in range(5):
                    assert client.get("/api/health").status_code == 200
                    assert client.get("/papers/2602.23152").status_code == 200
        voting.join()
    assert answers[0].status_code == 200
    assert answers[0].json()["voted"] is True


def test_a_vote_under_a_held_write_lock_gets_503_after_a_short_wait(tmp_path: Path) -> None:
    # The lock stays held until the answer is in: the vote can only be answered by giving
    # up after the request's short wait (0.3 s here). Jobs wait 10 s; the client gives up
    # after HANG_SECONDS, so a request that waited like a job fails the test.
    with open_site(tmp_path, web_write_wait_seconds="0.3") as site, site.client() as client:
        with held_write_lock(site.service.store):
            refused = client.post("/votes/2602.23152",
                                  data={"csrf_token": site.csrf, "action": "up"},
                                  headers={"Accept": "application/json"})
            assert client.get("/api/health").status_code == 200
            assert client.get("/papers/2602.23152").status_code == 200  # reads never wait
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) > 0
        assert "busy" in refused.json()["message"]
        # once the other writer is done, the same vote goes through
        again = client.post("/votes/2602.23152", data={"csrf_token": site.csrf, "action": "up"},
                            headers={"Accept": "application/json"})
        assert again.status_code == 200 and again.json()["voted"] is True
