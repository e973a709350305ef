"""A papertide with real papers in a temp folder, and HTTP clients for its web app.

The papers come from ``tests/data/web_hf_trending.jsonl`` (40 papers on five
days of Feb/Mar 2026, no authors or categories) and ``web_arxiv_abs.jsonl``
(20 arXiv records with authors, categories, versions, old-style ids). Tests
compute what they expect from those files (:class:`Corpus`), never from the
code under test.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.helpers import DATA_DIR, open_test_app

WEB_HF = DATA_DIR / "web_hf_trending.jsonl"
WEB_ARXIV = DATA_DIR / "web_arxiv_abs.jsonl"
BASE_URL = "https://papers.example.org"
_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Corpus:
    """The fixture files, read independently of papertide's parsers."""

    hf_by_day: dict[str, list[dict[str, Any]]]
    arxiv: dict[str, dict[str, Any]]

    def ids_on(self, *days: str) -> set[str]:
        return {row["paper_id"] for day in days for row in self.hf_by_day[day]}

    def titles_on(self, *days: str) -> set[str]:
        return {squash(row["title"]) for day in days for row in self.hf_by_day[day]}

    def row(self, arxiv_id: str) -> dict[str, Any]:
        if arxiv_id in self.arxiv:
            return self.arxiv[arxiv_id]
        return next(row for rows in self.hf_by_day.values() for row in rows
                    if row["paper_id"] == arxiv_id)

    def with_category(self, prefix: str) -> set[str]:
        """Ids of arXiv records with a category equal to ``prefix`` or inside that archive."""
        return {arxiv_id for arxiv_id, row in self.arxiv.items()
                if any(category == prefix or category.startswith(prefix + ".")
                       for category in row["categories"].split())}


def read_corpus() -> Corpus:
    hf_by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in WEB_HF.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        hf_by_day[row["first_seen"][:10]].append(row)
    arxiv = {}
    for line in WEB_ARXIV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        arxiv[row["id"]] = row
    return Corpus(dict(hf_by_day), arxiv)


def open_loaded_service(data_dir: Path, **environ: str) -> Papertide:
    service = open_test_app(data_dir, base_url=BASE_URL, **environ)
    report = service.import_files([WEB_HF, WEB_ARXIV])
    assert not report.errors, report.errors
    return service


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return read_corpus()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papertide]:
    """Read-only for the tests that share it: 60 papers, 30 a page."""
    service = open_loaded_service(tmp_path_factory.mktemp("web-shared"))
    yield service
    service.close()


@pytest.fixture(scope="session")
def client(service: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(service)) as client:
        yield client


@pytest.fixture(scope="session")
def paged_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The same papers with 5 a page, to walk through pages."""
    service = open_loaded_service(tmp_path_factory.mktemp("web-paged"), page_size="5")
    with TestClient(create_web_app(service)) as client:
        yield client
    service.close()


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    service = open_test_app(tmp_path / "empty", base_url=BASE_URL)
    with TestClient(create_web_app(service)) as client:
        yield client
    service.close()
