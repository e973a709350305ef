"""Rising topics pages and API; titles and abstracts with markup shown as text."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.topics.compute import TopicParams
from papertide.web import background, create_web_app
from tests.community_helpers import MovableClock, open_community_app
from tests.helpers import hf_row, write_jsonl
from tests.web.conftest import BASE_URL
from tests.web_accounts.conftest import page_of

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
EVIL_TITLE = '<script>alert("title")</script> Sparse Autoencoders <b>bold</b>'
EVIL_ABSTRACT = '<img src=x onerror="alert(1)"> We study sparse autoencoders & </p> more.'


def _rows() -> list[dict[str, object]]:
    """Eight weeks of papers; sparse autoencoders only in the last two."""
    rows: list[dict[str, object]] = []
    fillers = ["Protein Folding", "Galaxy Clusters", "Graph Coloring", "Speech Recognition",
               "Robot Grasping", "Weather Forecasting"]
    for week in range(8):
        for i in range(12):
            day = dt.date(2026, 1, 5) + dt.timedelta(weeks=week, days=i % 5)
            title = f"{fillers[(i + week) % len(fillers)]} Study {week}-{i}"
            abstract = "We study things."
            if week >= 6 and i >= 8:
                title, abstract = (f"{EVIL_TITLE} {i}" if i == 8 else
                                   f"Sparse Autoencoders Study {week}-{i}", EVIL_ABSTRACT)
            stamp = f"{day.isoformat()}T18:00:00+00:00"
            rows.append(hf_row(f"2601.{week:02d}{i:03d}", title, first_seen=stamp,
                               last_seen=stamp, abstract=abstract,
                               date_published=f"{day.isoformat()}T10:00:00Z"))
    return rows


@pytest.fixture(scope="module")
def topics_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papertide]:
    folder = tmp_path_factory.mktemp("topics-web")
    app = open_community_app(folder / "data", MovableClock(NOW), base_url=BASE_URL)
    report = app.import_files([write_jsonl(folder / "papers.jsonl", _rows())])
    assert not report.errors
    yield app
    app.close()


@pytest.fixture
def topics_client(topics_app: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(topics_app), base_url=BASE_URL) as client:
        yield client


def test_before_the_first_computation_the_page_says_so(topics_client: TestClient,
                                                       topics_app: Papertide) -> None:
    if topics_app.community.topics.run() is None:
        page = page_of(topics_client, "/topics")
        assert "not computed yet" in page.find(class_="empty-state").text()
        assert topics_client.get("/api/topics").json()["topics"] == []


def test_rising_topics_are_listed_with_a_sparkline_and_link_to_their_papers(
    topics_client: TestClient, topics_app: Papertide
) -> None:
    topics_app.community.topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    page = page_of(topics_client, "/topics")
    row = page.find("li", class_="topic-row")
    link = row.find(class_="topic-name").find("a")
    assert link.text() == "Sparse autoencoders"  # as the abstracts write it
    svg = row.find("svg", class_="sparkline")
    assert svg.get("role") == "img" and "0, 0, 0, 0, 0, 0, 4, 4" in svg.get("aria-label")
    # The topic's leading papers are listed under it, their titles as text.
    leading = row.find("ul", class_="topic-papers").find_all("a")
    assert len(leading) == 3
    assert all("Sparse Autoencoders" in item.text() for item in leading)
    assert not row.find_all("script") and not row.find_all("b")
    topic = page_of(topics_client, link.get("href"))
    assert topic.find("h1").text() == "Sparse autoencoders"
    assert topic.find("svg", class_="volume-chart")
    cards = topic.find_all("article", class_="paper-card")
    assert len(cards) == 8 and all(card.find(class_="vote-button") for card in cards)
    api = topics_client.get("/api/topics").json()
    first = api["topics"][0]
    assert first["phrase"] == "Sparse autoencoders" and first["recent_papers"] == 8
    assert first["weekly_papers"] == [0, 0, 0, 0, 0, 0, 4, 4]
    assert [paper["title"] for paper in first["leading_papers"]] == [
        item.text() for item in leading]
    assert len(api["weeks"]) == len(api["weekly_totals"]) == 8
    assert first["page"] == f"{BASE_URL}/topics/{first['slug']}"


def test_an_unknown_topic_is_a_404(topics_client: TestClient) -> None:
    assert topics_client.get("/topics/no-such-topic").status_code == 404
    assert topics_client.get("/topics/" + "x" * 5000).status_code == 404


@pytest.mark.parametrize("url", ["/", "/trending?window=month", "/papers/date/2026-02-26",
                                 "/papers/week/2026-W09?sort=trending", "/search?q=sparse",
                                 "/papers/2601.06008"])
def test_markup_in_titles_and_abstracts_is_shown_as_text(
    topics_client: TestClient, topics_app: Papertide, url: str
) -> None:
    topics_app.community.topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    response = topics_client.get(url)
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;img src=x onerror=" in html


def test_the_api_returns_the_text_unchanged(topics_client: TestClient) -> None:
    paper = topics_client.get("/api/papers/2601.06008").json()
    assert paper["title"].startswith('<script>alert("title")</script>')
    assert json.loads(json.dumps(paper))["abstract"].startswith("<img src=x")


def test_topic_pages_escape_the_phrase(topics_client: TestClient,
                                       topics_app: Papertide) -> None:
    run = topics_app.community.topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    for topic in run.topics:
        html = topics_client.get(f"/topics/{topic.slug}").text
        assert "<script>" not in html.replace('<script src="/static/app.js', "")


def test_a_fresh_install_computes_topics_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_community_app(tmp_path / "data", MovableClock(NOW), topics_refresh_minutes="60")
    app.import_files([write_jsonl(tmp_path / "papers.jsonl", _rows())])
    monkeypatch.setattr(background, "FIRST_CHECK_SECONDS", 0.05)
    try:
        with TestClient(create_web_app(app), base_url=BASE_URL) as client:
            deadline = dt.datetime.now() + dt.timedelta(seconds=20)
            while app.community.topics.run() is None and dt.datetime.now() < deadline:
                client.get("/api/health")
                time.sleep(0.05)
            assert client.get("/api/topics").json()["topics"]
    finally:
        app.close()
