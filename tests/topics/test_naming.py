"""Rising topics a reader would name: no lone everyday words, one topic per subject."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papertide.topics.compute import TopicParams
from papertide.topics.naming import looks_like_acronym, names_a_topic, near_duplicates
from tests.community_helpers import MovableClock, open_community_app
from tests.helpers import make_record

FIRST_MONDAY = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
FILLER = ["Protein Folding", "Galaxy Clusters", "Graph Coloring", "Speech Recognition",
          "Robot Grasping", "Weather Forecasting", "Image Segmentation", "Query Optimization"]


def test_near_duplicates_differ_by_case_hyphens_plurals_or_one_word() -> None:
    assert near_duplicates("on-policy distillation", "on-policy self-distillation")
    assert near_duplicates("world-action model", "world action models")
    assert near_duplicates("agent harness", "agent harnesses")
    assert not near_duplicates("video generation", "video editing")
    assert not near_duplicates("world model", "model")


def test_a_lone_word_names_a_topic_only_as_an_acronym_or_a_name() -> None:
    assert looks_like_acronym("LLM") and looks_like_acronym("LoRA")
    assert looks_like_acronym("GPT-5") and not looks_like_acronym("Teacher")
    assert not looks_like_acronym("On-Policy"), "title case is not an acronym"
    assert names_a_topic("sparse autoencoder", "sparse autoencoders", None)
    assert not names_a_topic("teacher", "teacher", (0, 40))
    assert names_a_topic("mamba", "Mamba", (18, 20)), "capitalised mid-sentence: a name"
    assert not names_a_topic("mamba", "Mamba", None), "no abstracts to tell"


def _week_records(week: int, titles: list[str], abstract: str) -> list:  # type: ignore[type-arg]
    monday = FIRST_MONDAY + dt.timedelta(weeks=week)
    return [make_record(f"2601.{week:02d}{i:03d}", title, abstract=abstract,
                        announced=monday + dt.timedelta(days=i % 5))
            for i, title in enumerate(titles)]


def test_topics_merge_near_duplicates_skip_lone_words_and_need_support(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, MovableClock(NOW))
    records = []
    for week in range(8):
        titles = [f"{FILLER[(i + week) % len(FILLER)]} Study {week} {i}" for i in range(30)]
        if week >= 6:
            titles[:5] = [f"On-Policy Distillation for Reasoning {i}" for i in range(5)]
            titles[5:10] = [f"On-Policy Self-Distillation of Agents {i}" for i in range(5)]
            titles[10:20] = [f"When the Teacher Is Wrong {i}" for i in range(10)]
            titles[20:23] = [f"Quantum Widget Lattices {i}" for i in range(3)]  # 6 in all
        records += _week_records(week, titles, "We study this in depth.")
    app.store.upsert_papers(records, NOW)
    run = app.community.topics.recompute(TopicParams(recent_weeks=2, baseline_weeks=6))
    phrases = [topic.phrase.lower() for topic in run.topics]
    assert phrases == ["on-policy distillation"]
    assert run.topics[0].recent_papers == 20, "both spellings' papers in one topic"
    app.close()
