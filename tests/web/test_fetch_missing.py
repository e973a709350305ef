"""A paper that is not stored: a 404 page with arXiv links and, signed in, a button that
queues a polite fetch from the arXiv API, run by a worker against the recorded answer
replayed on loopback."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.ingest.fetch import MAX_WAITING_FETCHES
from papertide.ingest.runtime import build_sources
from papertide.jobs.kinds import job_kinds
from papertide.jobs.queue import JobQueue
from papertide.jobs.runner import JobRunner
from papertide.web import create_web_app
from tests.helpers import free_port, open_test_app
from tests.ingest.conftest import source_settings
from tests.ingest.recorded import API_EMPTY, API_OLD_STYLE, xml_reply
from tests.ingest.replay import ReplayServer, replay_server
from tests.web.html_dom import fetch_page
from tests.web.live import CHROMIUM, chromium

BASE_URL = "https://papers.example.org"
MISSING = "astro-ph/0601001"
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as running:
        yield running


@pytest.fixture
def service(server: ReplayServer, tmp_path: Path) -> Iterator[Papertide]:
    opened = open_test_app(tmp_path / "data", base_url=BASE_URL,
                           **source_settings(server))
    yield opened
    opened.close()


@pytest.fixture
def client(service: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(service), base_url=BASE_URL) as client:
        yield client


def sign_in(client: TestClient, service: Papertide) -> None:
    accounts = service.community.accounts
    accounts.add_user("fetcher@example.org", admin=False)
    link = accounts.sign_in_link("fetcher@example.org")
    signed = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0])
    client.cookies.set("papertide_session", signed.cookie)


def run_queued_jobs(service: Papertide) -> list[str]:
    """What a `papertide worker` does with the queued jobs: run each once."""
    queue = JobQueue(service.store, service.settings)
    sources = build_sources(service.settings)
    runner = JobRunner(service, sources, queue, job_kinds(service.settings), threading.Event())
    ran = []
    try:
        while (job := queue.claim()) is not None:
            runner.run(job)
            ran.append(job.kind)
    finally:
        sources.close()
    return ran


def test_a_reader_not_signed_in_gets_arxiv_links_and_a_way_to_sign_in(
    client: TestClient,
) -> None:
    page = fetch_page(client, f"/papers/{MISSING}", status=404)
    hrefs = {a.get("href") for a in page.find_all("a")}
    assert {f"https://arxiv.org/abs/{MISSING}", f"https://arxiv.org/pdf/{MISSING}"} <= hrefs
    assert not page.find_all("form", class_="fetch-form")
    assert "/signin?next=%2Fpapers%2Fastro-ph%2F0601001" in hrefs
    assert client.post(f"/papers/{MISSING}/fetch", data={}).status_code == 401


def test_fetching_a_missing_paper_queues_a_job_that_stores_it(
    client: TestClient, service: Papertide, server: ReplayServer
) -> None:
    server.route("/api/query", xml_reply(API_OLD_STYLE))
    sign_in(client, service)
    page = client.get(f"/papers/{MISSING}")
    assert page.status_code == 404 and "Fetch it from arXiv" in page.text
    assert client.post(f"/papers/{MISSING}/fetch",
                       data={"csrf_token": "forged"}).status_code == 403

    token = CSRF.findall(page.text)[-1]
    queued = client.post(f"/papers/{MISSING}/fetch", data={"csrf_token": token},
                         follow_redirects=False)
    assert queued.status_code == 303 and queued.headers["location"] == f"/papers/{MISSING}"
    again = client.post(f"/papers/{MISSING}/fetch", data={"csrf_token": token},
                        follow_redirects=False)
    assert again.status_code == 303  # asking twice queues one fetch

    waiting = fetch_page(client, f"/papers/{MISSING}", status=404)
    assert "Fetch queued" in waiting.find(class_="fetch-status").text()
    status = waiting.find(class_="fetch-status")
    assert status.get("data-refresh") == "5"  # the script looks again; without it, a link
    assert status.find("a").get("href") == f"/papers/{MISSING}"
    assert not waiting.find_all("form", class_="fetch-form")
    assert not server.seen()  # nothing asked of arXiv by the web server itself

    assert run_queued_jobs(service) == ["fetch-paper"]
    (request,) = server.seen("/api/query")
    assert request.params["id_list"] == MISSING
    stored = fetch_page(client, f"/papers/{MISSING}")
    assert stored.find("h1").text().startswith("Frequency of Hot Jupiters")


def test_an_id_arxiv_does_not_know_says_so(
    client: TestClient, service: Papertide, server: ReplayServer
) -> None:
    server.route("/api/query", xml_reply(API_EMPTY))
    sign_in(client, service)
    token = CSRF.findall(client.get("/papers/0000.00001").text)[-1]
    client.post("/papers/0000.00001/fetch", data={"csrf_token": token})
    run_queued_jobs(service)
    page = fetch_page(client, "/papers/0000.00001", status=404)
    assert "did not return this paper" in page.find(class_="fetch-status").text()
    assert not page.find(class_="fetch-status").get("data-refresh")


def test_malformed_ids_cannot_be_fetched(client: TestClient, service: Papertide) -> None:
    sign_in(client, service)
    token = CSRF.findall(client.get("/papers/2401.99999").text)[-1]
    response = client.post("/papers/not-an-id/fetch", data={"csrf_token": token})
    assert response.status_code == 400
    assert service.store.job_counts().get("queued", 0) == 0


def test_fetches_wait_in_a_short_queue(client: TestClient, service: Papertide) -> None:
    sign_in(client, service)
    token = CSRF.findall(client.get("/papers/2401.99999").text)[-1]
    for number in range(MAX_WAITING_FETCHES):
        response = client.post(f"/papers/2401.{number:05d}/fetch", data={"csrf_token": token},
                               follow_redirects=False)
        assert response.status_code == 303
    refused = client.post("/papers/2401.99999/fetch", data={"csrf_token": token})
    assert refused.status_code == 429 and "already waiting" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    # one already waiting is no new request: asking for it again is fine
    again = client.post("/papers/2401.00003/fetch", data={"csrf_token": token},
                        follow_redirects=False)
    assert again.status_code == 303
    assert service.store.job_counts()["queued"] == MAX_WAITING_FETCHES


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_in_a_browser_the_button_queues_and_the_page_shows_the_paper_once_fetched(
    service: Papertide, server: ReplayServer
) -> None:
    server.route("/api/query", xml_reply(API_OLD_STYLE))
    accounts = service.community.accounts
    accounts.add_user("clicker@example.org", admin=False)
    link = accounts.sign_in_link("clicker@example.org")
    cookie = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0]).cookie
    port = free_port()
    web = uvicorn.Server(uvicorn.Config(create_web_app(service), host="127.0.0.1", port=port,
                                        log_level="warning", ws="none", lifespan="off"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with chromium() as browser:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies([{"name": "papertide_session", "value": cookie, "url": base}])
            page = context.new_page()
            page.goto(f"{base}/papers/{MISSING}")
            page.get_by_role("button", name="Fetch it from arXiv").click()
            page.get_by_text("Fetch queued").wait_for()
            assert run_queued_jobs(service) == ["fetch-paper"]
            # the page looks again by itself and finds the paper stored
            page.locator("h1", has_text="Frequency of Hot Jupiters").wait_for(timeout=20_000)
            browser.close()
    finally:
        web.should_exit = True
        thread.join(timeout=10)
