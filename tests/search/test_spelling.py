"""Typos find papers and a "Did you mean" from the index's own words, on both engines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.search.spelling import edits
from papertide.web.app import create_web_app
from tests.helpers import FIXED_NOW, make_record

PAPERS = {
    "2501.00001": ("Diffusion models for images", "A diffusion process denoises images."),
    "2501.00002": ("Vision transformer scaling", "The transformer attends over patches."),
    "2501.00003": ("Panoptic segmentation", "Segmentation of every pixel."),
    "2501.00004": ("Mixture of experts", "Sparse experts route tokens."),
    "2501.00005": ("Human collaboration with agents", "Collaboration improves outcomes."),
    "2501.00006": ("Diffusion policies", "Robots learn a diffusion policy."),
    "2501.00007": ("Fusion of sensors", "Late fusion of lidar and camera."),
}


@pytest.fixture
def loaded(app: Papertide) -> Papertide:
    app.store.upsert_papers([make_record(arxiv_id, title, abstract=abstract)
                             for arxiv_id, (title, abstract) in PAPERS.items()], FIXED_NOW)
    app.sync_search_index()
    return app


@pytest.mark.parametrize(("typed", "meant", "paper"), [
    ("difusion", "diffusion", "2501.00001"),
    ("transfomer", "transformer", "2501.00002"),
    ("segmantation", "segmentation", "2501.00003"),
    ("exprts", "experts", "2501.00004"),
    ("colaboration", "collaboration", "2501.00005"),
])
def test_a_misspelt_word_finds_its_papers_and_suggests_the_word(
    loaded: Papertide, typed: str, meant: str, paper: str
) -> None:
    results = loaded.search(typed, mode="keyword")
    assert results.suggestion == meant
    assert paper in [found.arxiv_id for found in results.page.papers]
    assert any(typed in notice and meant in notice for notice in results.notices)


@pytest.mark.parametrize(("typed", "meant", "paper"), [
    ("colaboraton", "collaboration", "2501.00005"),  # two letters dropped
    ("segmnetaton", "segmentation", "2501.00003"),  # two neighbours swapped, one dropped
])
def test_a_long_word_two_edits_away_is_corrected_too(
    loaded: Papertide, typed: str, meant: str, paper: str
) -> None:
    results = loaded.search(typed, mode="keyword")
    assert results.suggestion == meant
    assert [found.arxiv_id for found in results.page.papers] == [paper]


def test_a_typo_beside_a_correct_word_keeps_the_rest_of_the_query(loaded: Papertide) -> None:
    results = loaded.search("Difusion policies", mode="keyword")
    assert results.suggestion == "diffusion policies"
    assert results.page.papers[0].arxiv_id == "2501.00006"


def test_the_notice_names_each_corrected_word_in_a_sentence(loaded: Papertide) -> None:
    one = loaded.search("difusion", mode="keyword").notices
    two = loaded.search("difusion transfomer", mode="keyword").notices
    assert "No paper holds “difusion”, so “diffusion” was searched instead." in one
    assert ("No paper holds “difusion” or “transfomer”, so “diffusion” and “transformer” "
            "were searched instead.") in two


def test_correctly_spelt_words_get_no_suggestion(loaded: Papertide) -> None:
    for text in ("diffusion", "fusion", "sensors lidar"):
        results = loaded.search(text, mode="keyword")
        assert results.suggestion is None and not results.notices


def test_exact_matches_of_a_rare_word_rank_above_its_correction(loaded: Papertide) -> None:
    loaded.store.upsert_papers([make_record("2501.00008", "Diffusoin artefacts",
                                            abstract="A misprint in print.")], FIXED_NOW)
    loaded.store.upsert_papers([make_record(f"2502.{n:05d}", f"Diffusion study {n}")
                                for n in range(1, 60)], FIXED_NOW)
    loaded.sync_search_index()
    results = loaded.search("diffusoin", mode="keyword")
    assert results.suggestion == "diffusion"
    assert results.page.papers[0].arxiv_id == "2501.00008"
    assert results.page.total > 1


def test_a_word_nothing_is_close_to_gets_no_suggestion(loaded: Papertide) -> None:
    results = loaded.search("zyxwvut", mode="keyword")
    assert results.suggestion is None and results.page.total == 0


def test_the_suggestion_never_carries_markup(loaded: Papertide) -> None:
    text = "<script>alert(1)</script> difusion"
    results = loaded.search(text, mode="keyword")
    assert results.suggestion is not None
    assert "<" not in results.suggestion and ">" not in results.suggestion
    with TestClient(create_web_app(loaded)) as client:
        page = client.get("/search", params={"q": text, "mode": "keyword"}).text
        body = client.get("/api/search", params={"q": "difusion", "mode": "keyword"}).json()
    assert "<script>alert" not in page
    assert "so “diffusion” was searched instead" in page
    assert body["suggestion"] == "diffusion"


def test_the_page_is_headed_by_what_was_searched_and_offers_only_what_was_not(
    loaded: Papertide,
) -> None:
    loaded.store.upsert_papers([make_record("2501.00008", "Diffusoin artefacts",
                                            abstract="A misprint in print.")], FIXED_NOW)
    loaded.store.upsert_papers([make_record(f"2502.{n:05d}", f"Diffusion study {n}")
                                for n in range(1, 60)], FIXED_NOW)
    loaded.sync_search_index()
    with TestClient(create_web_app(loaded)) as client:
        corrected = client.get("/search", params={"q": "transfomer", "mode": "keyword"}).text
        rare = client.get("/search", params={"q": "diffusoin", "mode": "keyword"}).text
    # no paper holds "transfomer": "transformer" was searched, and the page says so
    assert "Results for <q>transformer</q>" in corrected
    assert "Did you mean" not in corrected
    assert "so “transformer” was searched instead" in corrected
    # one paper holds "diffusoin": it is searched as typed, "diffusion" is offered
    assert "Results for <q>diffusoin</q>" in rare
    assert "Did you mean" in rare and "searched instead" not in rare


def test_a_pasted_paragraph_is_not_spell_checked(loaded: Papertide) -> None:
    text = ("difusion models learn to reverse a noising process step by step and then sample"
            " new images from pure noise with remarkable fidelity")
    assert loaded.search(text, mode="keyword").suggestion is None


def test_edit_candidates_are_bounded_by_the_word_length() -> None:
    word = "segmantation"
    found = edits(word)
    assert "segmentation" in found and word not in found
    assert len(found) <= 54 * len(word) + 25
