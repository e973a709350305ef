"""A broad category filter applied after ranking: the same pages, an estimated count.

Two services hold the same papers: one ranks before filtering wherever it may
(``estimate_floor`` 1), the other always filters first (the floor out of reach).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide, SearchResults
from papertide.web import create_web_app
from tests.helpers import kaggle_row, open_test_app, write_jsonl

WORDS = ("neural", "language", "vision", "graph", "learning", "model", "transformer",
         "image", "robot", "policy", "speech", "protein", "quantum", "sparse", "attention",
         "diffusion", "retrieval", "agent", "benchmark", "reasoning")
# (category, share of the papers): cs.CL and cs.CV are broad, astro-ph.GA is narrow.
CATEGORIES = (("cs.CL", 0.5), ("cs.CV", 0.35), ("astro-ph.GA", 0.05), ("math.PR", 0.10))
PAPERS = 400
ZEBRA_TITLES = 60  # "zebra" in the title, all cs.CV
ZEBRA_ABSTRACTS = 20  # "zebra" only in the abstract, all cs.CL


def _rows() -> list[dict[str, object]]:
    rng = random.Random(11)
    rows: list[dict[str, object]] = []
    for number in range(PAPERS):
        category = rng.choices([name for name, _ in CATEGORIES],
                               [share for _, share in CATEGORIES])[0]
        rows.append(kaggle_row(
            f"2501.{number:05d}", " ".join(rng.choices(WORDS, k=5)),
            abstract=" ".join(rng.choices(WORDS, k=30)), categories=category))
    for number in range(ZEBRA_TITLES):
        rows.append(kaggle_row(f"2502.{number:05d}", f"zebra stripes {WORDS[number % 20]}",
                               abstract="Stripes of a zebra.", categories="cs.CV"))
    for number in range(ZEBRA_ABSTRACTS):
        rows.append(kaggle_row(f"2503.{number:05d}", f"horses {WORDS[number % 20]}",
                               abstract=f"Unlike a zebra, {'a horse ' * (number + 1)}",
                               categories="cs.CL"))
    return rows


def _service(folder: Path, corpus: Path, estimate_floor: int) -> Papertide:
    service = open_test_app(folder)
    report = service.import_files([corpus])
    assert not report.errors
    service.keyword_index.estimate_floor = estimate_floor  # type: ignore[attr-defined]
    return service


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Papertide, Papertide]]:
    folder = tmp_path_factory.mktemp("broad")
    corpus = write_jsonl(folder / "corpus.jsonl", _rows())
    ranked_first = _service(folder / "ranked", corpus, estimate_floor=1)
    filtered_first = _service(folder / "filtered", corpus, estimate_floor=10**9)
    yield ranked_first, filtered_first
    ranked_first.close()
    filtered_first.close()


def _page(service: Papertide, text: str, page: int = 1) -> SearchResults:
    return service.search(text, page=page, page_size=10, mode="keyword")


def _ranked(results: SearchResults) -> list[tuple[str, float]]:
    return [(paper.arxiv_id, round(results.scores[paper.arxiv_id], 4))
            for paper in results.page.papers]


@pytest.mark.sqlite_only  # tantivy's path; PostgreSQL filters in its SQL and always counts
@pytest.mark.parametrize("text", ["neural language model cat:cs.CL",
                                  "vision transformer image cat:cs.CV",
                                  "graph learning cat:cs.CL cat:cs.CV"])
def test_a_broad_category_gives_the_pages_of_filtering_first_with_an_estimated_count(
    services: tuple[Papertide, Papertide], text: str,
) -> None:
    ranked_first, filtered_first = services
    for page in (1, 2, 3):
        estimated, counted = _page(ranked_first, text, page), _page(filtered_first, text, page)
        assert _ranked(estimated) == _ranked(counted)
        assert len(estimated.page.papers) == 10
        assert counted.page.total_exact
        assert not estimated.page.total_exact
        assert counted.page.total / 2 <= estimated.page.total <= counted.page.total * 2


@pytest.mark.parametrize(("text", "at_least"), [
    ("neural language model cat:astro-ph.GA", 1),  # a narrow category
    ("+neural model cat:cs.CL", 11),  # a required word makes the matches few
])
def test_narrow_categories_and_required_words_are_filtered_first_and_counted(
    services: tuple[Papertide, Papertide], text: str, at_least: int,
) -> None:
    ranked_first, filtered_first = services
    estimated, counted = _page(ranked_first, text), _page(filtered_first, text)
    assert estimated.page.total_exact
    assert estimated.page.total == counted.page.total >= at_least
    assert _ranked(estimated) == _ranked(counted)


def test_too_few_papers_of_the_category_at_the_top_fall_back_to_counting(
    services: tuple[Papertide, Papertide],
) -> None:
    """Every paper with "zebra" in its title is cs.CV: the cs.CL ones rank far below."""
    ranked_first, _ = services
    results = _page(ranked_first, "zebra cat:cs.CL")
    assert results.page.total_exact
    assert results.page.total == ZEBRA_ABSTRACTS
    assert all(paper.arxiv_id.startswith("2503.") for paper in results.page.papers)
    assert len(results.page.papers) == 10


def test_a_filter_does_not_change_the_scores(services: tuple[Papertide, Papertide]) -> None:
    _, filtered_first = services
    unfiltered = dict(_ranked(_page(filtered_first, "protein quantum")))
    filtered = _ranked(_page(filtered_first, "protein quantum cat:cs.CL"))
    shared = [(arxiv_id, score) for arxiv_id, score in filtered if arxiv_id in unfiltered]
    assert shared
    assert all(unfiltered[arxiv_id] == score for arxiv_id, score in shared)


@pytest.mark.sqlite_only  # tantivy's path; PostgreSQL filters in its SQL and always counts
def test_the_api_and_the_page_say_when_the_count_is_an_estimate(
    services: tuple[Papertide, Papertide],
) -> None:
    ranked_first, _ = services
    with TestClient(create_web_app(ranked_first)) as client:
        estimated = client.get("/api/search", params={"q": "neural model cat:cs.CL",
                                                      "mode": "keyword"}).json()
        counted = client.get("/api/search", params={"q": "neural model cat:astro-ph.GA",
                                                    "mode": "keyword"}).json()
        page = client.get("/search", params={"q": "neural model cat:cs.CL",
                                             "mode": "keyword"}).text
    assert estimated["total_exact"] is False and estimated["total"] > 0
    assert counted["total_exact"] is True
    assert f"about <strong>{estimated['total']:,}</strong> papers" in page
