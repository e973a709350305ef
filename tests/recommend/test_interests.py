"""A library of several interests: each keeps its picks, and one refusal stays local.

The whole path from a real SQLite store to the picks runs as in the service,
on vectors with structure (``tests/recommend/clustered.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from papertide.app import Papertide, open_app
from papertide.recommend.interests import RankedPick, split_library, varied_top
from papertide.recommend.labels import interest_label
from papertide.recommend.service import Recommender
from tests.helpers import fixed_clock, make_settings
from tests.recommend.clustered import DIMENSION, add_clustered_papers, around

MODEL = "clustered-test-vectors"


@pytest.fixture
def clustered(tmp_path: Path) -> Iterator[tuple[Papertide, Recommender, dict[str, list[str]]]]:
    app = open_app(make_settings(tmp_path / "data"), clock=fixed_clock())
    ids = add_clustered_papers(app, MODEL)
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
    one = around(centres[0], 12, 0.9, generator)
    assert len(split_library(one)) == 1
    three = np.concatenate([around(centre, 6, 0.9, generator) for centre in centres])
    parts = split_library(three)
    assert sorted(sorted(int(row) // 6 for row in part) for part in parts) == [
        [0] * 6, [1] * 6, [2] * 6]
    too_few = np.concatenate([around(centres[0], 8, 0.9, generator),
                              around(centres[1], 2, 0.9, generator)])
    assert len(split_library(too_few)) == 1, "two papers are not an interest of their own"


def test_an_interest_is_named_by_the_phrase_its_titles_share() -> None:
    titles = ["Streaming speech recognition with transducers",
              "Speech recognition for children", "Speaker diarization in meetings"]
    assert interest_label(titles, set()) == "speech recognition"
    assert interest_label(titles, {"speech recognition"}) == titles[0]
    assert interest_label(["A very long title " * 6], set()).endswith("…")


def test_near_copies_of_one_paper_leave_room_in_the_first_ten() -> None:
    """One preprint in eight near-copies (versions, re-uploads) scoring a little above four
    papers on other sides of the same interest: the first ten hold those four too."""
    generator = np.random.default_rng(5)
    base = around(generator.standard_normal(DIMENSION).astype(np.float32), 1, 0.0, generator)[0]
    copies = around(base, 8, 0.05, generator)
    others = around(np.zeros(DIMENSION, np.float32), 4, 1.0, generator)
    candidates = np.concatenate([copies, others])
    ranked = [RankedPick(row, 3.0 - 0.01 * row, 0) for row in range(8)] + [
        RankedPick(8 + row, 2.7 - 0.01 * row, 0) for row in range(4)]
    first_ten = [pick.row for pick in varied_top(ranked, candidates)[:10]]
    assert set(range(8, 12)) <= set(first_ten)
    assert first_ten[0] == 0, "the best pick stays first"
    assert sorted(pick.row for pick in varied_top(ranked, candidates)) == list(range(12))
