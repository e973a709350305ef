"""A papertide with the web fixture's papers, mailing through a real SMTP server.

Each test signs in with its own address, so tests can share one database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.store.factory import open_store
from papertide.web import create_web_app
from tests.community_helpers import MovableClock
from tests.helpers import open_test_app
from tests.mailcatcher import MailCatcher, link_in, smtp_server
from tests.web.conftest import BASE_URL, WEB_ARXIV, WEB_HF
from tests.web.html_dom import Element, parse_html

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[MailCatcher, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[MailCatcher, int],
            clock: MovableClock) -> Iterator[Papertide]:
    service = open_test_app(
        tmp_path_factory.mktemp("web-accounts"), clock=clock, base_url=BASE_URL,
        smtp_host="127.0.0.1", smtp_port=str(smtp[1]), smtp_mode="plain",
        topics_refresh_minutes="0", signin_limit_per_client="1000",
    )
    report = service.import_files([WEB_HF, WEB_ARXIV])
    assert not report.errors
    yield service
    service.close()


@pytest.fixture
def client(service: Papertide) -> Iterator[TestClient]:
    """A fresh browser (no cookies) on the shared service."""
    with TestClient(create_web_app(service), base_url=BASE_URL) as client:
        yield client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def page_of(client: TestClient, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:300])
    return parse_html(response.text)


def sign_in(client: TestClient, catcher: MailCatcher, email: str, next_path: str = "/") -> None:
    """Ask for a link, take it from the mail, confirm: the whole flow, as a person would."""
    before = len(catcher.to(email))
    form = client.get("/signin")
    response = client.post("/signin", data={"email": email, "next": next_path,
                                            "csrf_token": csrf_of(form.text)},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin/sent"
    link = link_in(catcher.wait_for(email, before + 1))
    landing = client.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert landing.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', landing.text)
    assert token
    done = client.post("/signin/confirm", data={"token": token.group(1),
                                                "csrf_token": csrf_of(landing.text)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text[:300]


def count_rows(service: Papertide, table: str) -> int:
    """Rows in a table, read with a separate connection (what is really stored)."""
    store = open_store(service.settings.resolved_database_url)
    try:
        return int(store._connection().execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        store.close()
