"""A library of two interests and a new week around them, as vectors with structure.

The vectors are drawn around topic centres (papers of one subject close
together, subjects apart: the structure real embeddings have) and stored in
a real store under the model name the recommender asks for; the titles say
which subject each paper is on, so labels and pages read naturally.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from papertide.app import Papertide
from papertide.models import PaperRecord
from papertide.recommend.ranker import Matrix
from papertide.store.vectors import NewVector
from tests.helpers import FIXED_NOW, make_record

OLD_DAY = dt.date(2026, 10, 5)
NEW_DAY = dt.date(2026, 11, 24)
DIMENSION = 384
SUBJECTS = ("Graph neural networks", "Protein structure prediction")


def around(centre: Matrix, count: int, spread: float, generator: np.random.Generator) -> Matrix:
    points = centre + spread * generator.standard_normal((count, DIMENSION)) / np.sqrt(DIMENSION)
    return np.asarray(points / np.linalg.norm(points, axis=1, keepdims=True), dtype=np.float32)


def add_clustered_papers(app: Papertide, model: str) -> dict[str, list[str]]:
    """15 library papers on graphs and 5 on proteins; a new week of 60 graph papers,
    8 protein papers and 200 on twenty other subjects. Returns the ids of each group."""
    generator = np.random.default_rng(7)
    centres = generator.standard_normal((22, DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    groups = {"library graphs": (0, 15, OLD_DAY), "library proteins": (1, 5, OLD_DAY),
              "new graphs": (0, 60, NEW_DAY), "new proteins": (1, 8, NEW_DAY),
              **{f"new other {i}": (i, 10, NEW_DAY) for i in range(2, 22)}}
    ids: dict[str, list[str]] = {}
    records: list[PaperRecord] = []
    vectors: list[NewVector] = []
    number = 0
    for name, (subject, count, day) in groups.items():
        ids[name] = []
        topic = SUBJECTS[subject] if subject < len(SUBJECTS) else f"Subject {subject}"
        for vector in around(centres[subject], count, 0.9, generator):
            number += 1
            arxiv_id = f"{'2610' if day == OLD_DAY else '2611'}.{number:05d}"
            ids[name].append(arxiv_id)
            records.append(make_record(arxiv_id, f"{topic} in setting {number}",
                                       announced=day))
            vectors.append(NewVector(arxiv_id, f"fingerprint-{number}", vector))
    app.store.upsert_papers(records, FIXED_NOW)
    app.store.save_vectors(model, vectors, [], app.store.max_change_seq())
    return ids
