"""A library of several interests: each keeps its picks, and one refusal stays local.

The vectors here are drawn around a few topic centres (the structure real
embeddings have: papers of one subject close together, subjects apart), and
stored in a real SQLite store, so the whole path from the store to the
picks runs as in the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from papertide.app import Papertide, open_app
from papertide.recommend.interests import split_library
from papertide.recommend.labels import interest_label
from papertide.recommend.ranker import Matrix
from papertide.recommend.service import Recommender
from papertide.store.vectors import NewVector
from tests.helpers import FIXED_NOW, fixed_clock, make_record, make_settings

MODEL = "clustered-test-vectors"
OLD_DAY = dt.date(2026, 10, 5)
NEW_DAY = dt.date(2026, 11, 24)
DIMENSION = 384


def _around(centre: Matrix, count: int, spread: float,
            generator: np.random.Generator) -> Matrix:
    points = centre + spread * generator.standard_normal((count, DIMENSION)) / np.sqrt(DIMENSION)
    return np.asarray(points / np.linalg.norm(points, axis=1, keepdims=True), dtype=np.float32)


@pytest.fixture
def clustered(tmp_path: Path) -> Iterator[tuple[Papertide, Recommender, dict[str, list[str]]]]:
    """A library of 15 papers on "graphs" and 5 on "proteins"; a new week of 60 graph
    papers, 8 protein papers and 200 on twenty other subjects."""
    generator = np.random.default_rng(7)
    centres = generator.standard_normal((22, DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    groups = {"library graphs": (centres[0], 15, OLD_DAY),
              "library proteins": (centres[1], 5, OLD_DAY),
              "new graphs": (centres[0], 60, NEW_DAY),
              "new proteins": (centres[1], 8, NEW_DAY),
              **{f"new other {i}": (centres[i], 10, NEW_DAY) for i in range(2, 22)}}
    app = open_app(make_settings(tmp_path / "data"), clock=fixed_clock())
    ids: dict[str, list[str]] = {}
    records, vectors = [], []
    number = 0
    for name, (centre, count, day) in groups.items():
        ids[name] = []
        for vector in _around(centre, count, 0.9, generator):
            number += 1
            arxiv_id = f"2610.{number:05d}" if day == OLD_DAY else f"2611.{number:05d}"
            ids[name].append(arxiv_id)
            records.append(make_record(arxiv_id, f"{name.title()} paper {number}",
                                       announced=day))
            vectors.append(NewVector(arxiv_id, f"fingerprint-{number}", vector))
    app.store.upsert_papers(records, FIXED_NOW)
    app.store.save_vectors(MODEL, vectors, [], app.store.max_change_seq())
    recommender = Recommender(app.store, app.keyword_index, fixed_clock(), 7, lambda: MODEL)
    yield app, recommender, ids
    app.close()


def test_a_library_of_two_interests_gets_picks_from_each_labelled(
    clustered: tuple[Papertide, Recommender, dict[str, list[str]]],
) -> None:
    app, recommender, ids = clustered
    reader, _ = app.community.accounts.add_user("two@example.org", admin=False)
    for arxiv_id in ids["library graphs"] + ids["library proteins"]:
        app.community.library.save(reader.id, arxiv_id)
    found = recommender.for_user(reader.id, 20)
    assert len(found.interests) == 2
    first_ten = [pick.paper.arxiv_id for pick in found.picks[:10]]
    assert set(first_ten) & set(ids["new graphs"]) and set(first_ten) & set(ids["new proteins"])
    labels = {pick.interest for pick in found.picks[:10]}
    assert labels == set(found.interests)


def test_one_not_interested_cannot_push_a_five_paper_interest_out_of_the_top_20(
    clustered: tuple[Papertide, Recommender, dict[str, list[str]]],
) -> None:
    app, recommender, ids = clustered
    reader, _ = app.community.accounts.add_user("reader@example.org", admin=False)
    for arxiv_id in ids["library graphs"] + ids["library proteins"]:
        app.community.library.save(reader.id, arxiv_id)
    proteins = set(ids["new proteins"])

    def top_20() -> list[str]:
        return [pick.paper.arxiv_id for pick in recommender.for_user(reader.id, 20).picks]

    refused = next(arxiv_id for arxiv_id in top_20() if arxiv_id in proteins)
    recommender.mark_not_interested(reader.id, refused)
    after = top_20()
    assert refused not in after
    assert proteins & set(after), "the other protein papers stay among the first 20"


def test_one_subject_stays_one_interest_and_distinct_subjects_split() -> None:
    generator = np.random.default_rng(3)
    centres = generator.standard_normal((3, DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    one = _around(centres[0], 12, 0.9, generator)
    assert len(split_library(one)) == 1
    three = np.concatenate([_around(centre, 6, 0.9, generator) for centre in centres])
    parts = split_library(three)
    assert sorted(sorted(int(row) // 6 for row in part) for part in parts) == [
        [0] * 6, [1] * 6, [2] * 6]
    too_few = np.concatenate([_around(centres[0], 8, 0.9, generator),
                              _around(centres[1], 2, 0.9, generator)])
    assert len(split_library(too_few)) == 1, "two papers are not an interest of their own"


def test_an_interest_is_named_by_the_phrase_its_titles_share() -> None:
    titles = ["Streaming speech recognition with transducers",
              "Speech recognition for children", "Speaker diarization in meetings"]
    assert interest_label(titles, set()) == "speech recognition"
    assert interest_label(titles, {"speech recognition"}) == titles[0]
    assert interest_label(["A very long title " * 6], set()).endswith("…")
