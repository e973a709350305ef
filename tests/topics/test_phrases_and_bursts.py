"""Keyphrases from titles and abstracts, and the burst test on their share."""

from __future__ import annotations

import pytest

from papertide.topics.bursts import BurstParams, burst, log_likelihood
from papertide.topics.phrases import document_phrases, runs, singular, slugify


def test_runs_split_at_stop_words_and_punctuation() -> None:
    title = "Scaling Test-Time Compute for Large Language Models: A Survey of Methods"
    assert list(runs(title)) == [["Scaling", "Test-Time", "Compute"],
                                 ["Large", "Language", "Models"], ["Survey"]]


def test_phrases_are_keyed_lower_case_with_the_last_word_singular() -> None:
    in_title, _ = document_phrases("Diffusion Transformers for Video Generation", None)
    assert {"diffusion transformer", "video generation", "diffusion"} <= in_title
    assert "diffusion transformers" not in in_title


def test_single_words_count_from_titles_only() -> None:
    in_title, everything = document_phrases(
        "Mamba Meets Retrieval", "The model keeps records of state space models.")
    assert "mamba" in everything and "retrieval" in everything
    assert "records" not in everything and "record" not in everything  # abstract prose
    assert "state space model" in everything and "state space model" not in in_title


def test_generic_words_numbers_and_adverbs_are_not_topics() -> None:
    _, everything = document_phrases("A Novel Model Significantly Improves 2024 Results", None)
    assert not everything & {"model", "novel", "significantly", "2024", "result"}


@pytest.mark.parametrize(("word", "single"), [
    ("models", "model"), ("galaxies", "galaxy"), ("analysis", "analysis"), ("mass", "mass"),
    ("dynamics", "dynamics"), ("lens", "lens"), ("gpt-4s", "gpt-4s"), ("boxes", "box"),
])
def test_singular(word: str, single: str) -> None:
    assert singular(word) == single


def test_slugs_are_url_safe() -> None:
    assert slugify("Vision-Language Models (VLMs)!") == "vision-language-models-vlms"
    assert slugify("<script>") == "script"
    assert slugify("∑") == "topic"


def test_equal_shares_are_not_surprising() -> None:
    assert log_likelihood(10, 100, 40, 400) == pytest.approx(0.0, abs=1e-9)
    assert log_likelihood(40, 100, 10, 400) > log_likelihood(20, 100, 10, 400) > 0


def test_a_rising_phrase_needs_enough_papers_and_enough_growth() -> None:
    params = BurstParams(min_papers=4, min_growth=2.0)
    assert burst(3, 100, 0, 1000, params) is None            # too few papers
    assert burst(12, 100, 100, 1000, params) is None         # share 12% against 10%
    rising = burst(40, 100, 20, 1000, params)
    assert rising is not None and rising.growth > 15 and rising.recent_share == 0.4
    steady = burst(20, 100, 90, 1000, params)
    assert steady is not None and rising.score > steady.score


def test_a_brand_new_phrase_rises_from_nothing() -> None:
    found = burst(9, 200, 0, 2000, BurstParams())
    assert found is not None and found.baseline_share == 0 and found.score > 0
