"""A papertide with new papers, a real SMTP server on loopback, and a web client.

The papers (:data:`PAPERS`) are announced on the two days before the fixed
clock's digest time, plus one older paper; two of them gain Hugging Face
upvotes within the last day, so they lead the trending list. Tests reason
from this table, never from what the code under test returns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.models import Observation
from papertide.web import create_web_app
from tests.digest.smtp import Mailbox, Received, smtp_server
from tests.helpers import FIXED_NOW, make_record, open_test_app

BASE_URL = "https://papers.example.org"
SENDER = "Zoë's Digest <digest@papers.example.org>"
TODAY = FIXED_NOW.date()  # 2026-11-26, a Thursday
YESTERDAY = TODAY - dt.timedelta(days=1)


@dataclass(frozen=True)
class Row:
    arxiv_id: str
    title: str
    categories: tuple[str, ...]
    announced: dt.date
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")


PAPERS = (
    Row("2611.10001", "Model merging without retraining: Über-efficient fusion of experts",
        ("cs.LG", "cs.CL"), TODAY,
        ("Zoë Ångström", "Li Wei", "Ada Lovelace", "Alan Turing", "Grace Hopper",
         "Edsger Dijkstra")),
    Row("2611.10002", "Merging model soups for vision transformers", ("cs.CV",), TODAY),
    Row("2611.10003", "A survey of retrieval-augmented generation", ("cs.CL",), YESTERDAY),
    Row("2611.10004", "Diffusion transformers at scale", ("cs.CV",), YESTERDAY),
    Row("2611.10005", "Scaling laws for speech recognition", ("eess.AS",), TODAY),
    Row("2611.10006", "Parsing <script>alert(1)</script> & other tags in LaTeX sources",
        ("cs.CL",), TODAY),
    Row("2611.10007", "Robot grasping with language feedback", ("cs.RO",), TODAY),
    Row("2611.00001", "Old news about model merging", ("cs.CL", "cs.LG"),
        TODAY - dt.timedelta(days=16)),
)
TRENDING_FIRST = "2611.10001"  # 0 -> 120 upvotes within the last day
TRENDING_SECOND = "2611.10002"  # 0 -> 40
NEW_IDS = {row.arxiv_id for row in PAPERS if row.announced >= YESTERDAY}
OLD_ID = "2611.00001"


class MutableClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def seed_papers(service: Papertide, now: dt.datetime = FIXED_NOW) -> None:
    records = [make_record(row.arxiv_id, row.title, announced=row.announced,
                           categories=row.categories, primary_category=row.categories[0],
                           authors=row.authors,
                           abstract=f"We study {row.title.lower()} in depth.")
               for row in PAPERS]
    service.store.upsert_papers(records, now)
    service.store.add_observations([
        Observation(TRENDING_FIRST, "hf", "upvotes", now - dt.timedelta(hours=20), 0.0),
        Observation(TRENDING_FIRST, "hf", "upvotes", now - dt.timedelta(hours=1), 120.0),
        Observation(TRENDING_SECOND, "hf", "upvotes", now - dt.timedelta(hours=20), 0.0),
        Observation(TRENDING_SECOND, "hf", "upvotes", now - dt.timedelta(hours=2), 40.0),
    ])
    service.sync_search_index()


def mail_environ(port: int, **extra: str) -> dict[str, str]:
    values = {"base_url": BASE_URL, "smtp_host": "127.0.0.1", "smtp_port": str(port),
              "smtp_mode": "plain", "mail_from": SENDER, "digest_hour": "6",
              "mail_retry_backoff": "60"}
    values.update(extra)
    return values


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    return smtp[0]


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(FIXED_NOW)


@pytest.fixture
def mail_service(tmp_path: Path, smtp: tuple[Mailbox, int], clock: MutableClock
                 ) -> Iterator[Papertide]:
    service = open_test_app(tmp_path / "data", clock=clock, **mail_environ(smtp[1]))
    seed_papers(service)
    yield service
    service.close()


@pytest.fixture
def mail_client(mail_service: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(mail_service), base_url=BASE_URL) as client:
        yield client


_LINK = re.compile(r"https://papers\.example\.org/[^\s\"<>]+")


def links_in(text: str) -> list[str]:
    return _LINK.findall(text)


def text_part(received: Received) -> str:
    body = received.message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def html_part(received: Received) -> str:
    body = received.message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def subscribe_and_confirm(client: TestClient, mailbox: Mailbox, email: str) -> str:
    """Go through double opt-in like a person; returns the preferences page's path."""
    before = len(mailbox.to(email))
    response = client.post("/subscribe", data={"email": email})
    assert response.status_code == 200 and response.url.path == "/subscribe/sent"
    confirmation = mailbox.to(email)[before]
    link = next(url for url in links_in(text_part(confirmation)) if "/subscribe/confirm" in url)
    landing = client.get(path_of(link))
    assert landing.status_code == 200 and "Yes, subscribe me" in landing.text
    confirmed = client.post("/subscribe/confirm", data={"token": token_of(link)})
    assert confirmed.status_code == 200 and confirmed.url.path == "/subscription"
    return path_of(str(confirmed.url))
