"""A library with several interests: split it, rank for each, and keep each in the picks.

One direction for a whole library points between its interests: a reader of
speech recognition and of black holes gets papers about neither. So the
library's vectors are split into at most three interests (spherical k-means
from the farthest papers, kept only when every part is big enough and the
parts are clearly apart), each interest trains its own model, and a
candidate's score is its best standardised score over the interests. The
first picks then hold each interest's best paper, so no interest goes
missing from the top of the page. Pure functions only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from papertide.recommend.ranker import (
    SHORTLIST,
    Matrix,
    ProfileModel,
    RankerParams,
    Stream,
    disliked_penalty,
    train,
)

MAX_INTERESTS = 3
MIN_INTEREST_PAPERS = 3
SEPARATION = 0.1  # mean similarity within parts minus across them, to keep a split
KMEANS_ROUNDS = 10
COVER_DEPTH = 10  # every interest has a pick among the first this many


@dataclass(frozen=True, slots=True)
class Interest:
    """Part of a library: its papers (rows of the positives) and its trained model."""

    members: tuple[int, ...]
    model: ProfileModel


@dataclass(frozen=True, slots=True)
class RankedPick:
    row: int
    score: float
    interest: int


def _assign(vectors: Matrix, centres: Matrix) -> npt.NDArray[np.int64]:
    return np.asarray(np.argmax(vectors @ centres.T, axis=1), dtype=np.int64)


def _kmeans(vectors: Matrix, parts: int) -> npt.NDArray[np.int64]:
    """Spherical k-means, seeded deterministically by farthest-first traversal."""
    mean = vectors.mean(axis=0)
    seeds = [int(np.argmax(vectors @ mean))]
    while len(seeds) < parts:
        nearest = (vectors @ vectors[seeds].T).max(axis=1)
        seeds.append(int(np.argmin(nearest)))
    centres = vectors[seeds].copy()
    labels = _assign(vectors, centres)
    for _ in range(KMEANS_ROUNDS):
        for part in range(parts):
            chosen = vectors[labels == part]
            if len(chosen):
                centre = chosen.mean(axis=0)
                centres[part] = centre / max(float(np.linalg.norm(centre)), 1e-9)
        updated = _assign(vectors, centres)
        if np.array_equal(updated, labels):
            break
        labels = updated
    return labels


def _separation(vectors: Matrix, labels: npt.NDArray[np.int64]) -> float:
    similarities = vectors @ vectors.T
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    different = labels[:, None] != labels[None, :]
    if not same.any() or not different.any():
        return 0.0
    return float(similarities[same].mean() - similarities[different].mean())


def split_library(positives: Matrix) -> list[npt.NDArray[np.int64]]:
    """Rows of each interest: one part, or two or three clearly apart and big enough."""
    everything = [np.arange(len(positives), dtype=np.int64)]
    if len(positives) < 2 * MIN_INTEREST_PAPERS:
        return everything
    best = everything
    for parts in range(2, MAX_INTERESTS + 1):
        if len(positives) < parts * MIN_INTEREST_PAPERS:
            break
        labels = _kmeans(positives, parts)
        sizes = np.bincount(labels, minlength=parts)
        if sizes.min() < MIN_INTEREST_PAPERS or _separation(positives, labels) < SEPARATION:
            break
        best = [np.flatnonzero(labels == part).astype(np.int64) for part in range(parts)]
    return best


def train_interests(positives: Matrix, negatives: Matrix, stream: Stream) -> list[Interest]:
    return [Interest(tuple(int(row) for row in rows), train(positives[rows], negatives, stream))
            for rows in split_library(positives)]


def _standardised(scores: Matrix, allowed: npt.NDArray[np.bool_]) -> Matrix:
    shown = scores[allowed] if allowed.any() else scores
    spread = float(shown.std()) if len(shown) > 1 else 1.0
    return np.asarray((scores - float(shown.mean())) / (spread if spread > 1e-9 else 1.0),
                      dtype=np.float32)


def rank_interests(candidates: Matrix, interests: list[Interest], params: RankerParams,
                   limit: int, allowed: npt.NDArray[np.bool_], bonus: Matrix | None = None
                   ) -> list[RankedPick]:
    """The best ``limit`` candidates over all interests, each with the interest it serves.

    ``bonus`` (in standard deviations) is added to every interest's score
    (followed categories). Papers near a "not interested" one are pulled down
    (:func:`disliked_penalty`); the rest of an interest is left alone.
    """
    if len(candidates) == 0 or not interests or not allowed.any():
        return []
    scores = np.stack([_standardised(candidates @ interest.model.weights, allowed)
                       for interest in interests])
    if bonus is not None:
        scores = scores + bonus[None, :]
    best = scores.max(axis=0)
    owner = scores.argmax(axis=0)
    best = np.where(allowed, best, -np.inf).astype(np.float32)
    size = min(SHORTLIST, len(best))
    rows = np.argpartition(-best, size - 1)[:size]
    rows = rows[np.isfinite(best[rows])]
    final = best[rows] - disliked_penalty(candidates[rows], interests[0].model.negatives,
                                          params)
    order = [int(i) for i in np.argsort(-final, kind="stable")]
    ranked = [RankedPick(int(rows[i]), float(final[i]), int(owner[rows[i]])) for i in order]
    return _cover_every_interest(ranked, len(interests))[:limit]


def _cover_every_interest(ranked: list[RankedPick], interests: int) -> list[RankedPick]:
    """Move each interest's best pick into the first ``COVER_DEPTH`` places if it is absent.

    The moved picks take the places just above the end of that stretch, so the
    strongest picks stay first.
    """
    top = ranked[:COVER_DEPTH]
    present = {pick.interest for pick in top}
    missing = [next((pick for pick in ranked[COVER_DEPTH:] if pick.interest == interest), None)
               for interest in range(interests) if interest not in present]
    lifted = [pick for pick in missing if pick is not None]
    if not lifted:
        return ranked
    lifted_rows = {pick.row for pick in lifted}
    rest = [pick for pick in ranked if pick.row not in lifted_rows]
    keep = COVER_DEPTH - len(lifted)
    return [*rest[:keep], *lifted, *rest[keep:]]
