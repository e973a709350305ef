"""A library with several interests: split it, rank for each, and keep each in the picks.

One direction for a whole library points between its interests: a reader of
speech recognition and of black holes gets papers about neither. So the
library's vectors are split into at most three interests (spherical k-means
from the farthest papers, kept only when every part is big enough and the
parts are clearly apart); each interest trains its own model and ranks the
window by it, and the interests take turns in the picks in proportion to
their share of the library, so no interest goes missing from the top of the
page. Pure functions only.
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
SEPARATION = 0.2  # mean similarity within parts minus across them, to keep a split
KMEANS_ROUNDS = 10


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

    Each interest ranks the candidates by its own standardised score (plus
    ``bonus``, in standard deviations: followed categories; minus the pull of
    "not interested" papers on their close neighbours, :func:`disliked_penalty`).
    The interests then take turns in proportion to their share of the library,
    so a small interest still has its best papers near the top; an interest
    whose next paper scores below ``interest_floor`` waits while others have
    better ones.
    """
    if len(candidates) == 0 or not interests or not allowed.any():
        return []
    linear = candidates @ np.stack([interest.model.weights for interest in interests]).T
    scores = np.stack([_standardised(column, allowed) for column in linear.T])
    if bonus is not None:
        scores = scores + bonus[None, :]
    scores = np.where(allowed[None, :], scores, -np.inf).astype(np.float32)
    size = min(SHORTLIST, int(allowed.sum()))
    queues: list[list[tuple[int, float]]] = []
    for row_scores in scores:
        rows = np.argpartition(-row_scores, size - 1)[:size]
        final = row_scores[rows] - disliked_penalty(candidates[rows],
                                                    interests[0].model.negatives, params)
        order = np.argsort(-final, kind="stable")
        queues.append([(int(rows[i]), float(final[i])) for i in order])
    papers = sum(len(interest.members) for interest in interests)
    shares = [len(interest.members) / papers for interest in interests]
    return _take_turns(queues, shares, params.interest_floor, limit)


def _take_turns(queues: list[list[tuple[int, float]]], shares: list[float],
                floor: float, limit: int) -> list[RankedPick]:
    """Merge the interests' queues: the interest furthest below its share goes next."""
    taken: set[int] = set()
    heads = [0] * len(queues)
    counts = [0] * len(queues)
    picks: list[RankedPick] = []
    while len(picks) < limit:
        ready: list[tuple[int, int, float]] = []
        for interest, queue in enumerate(queues):
            while heads[interest] < len(queue) and queue[heads[interest]][0] in taken:
                heads[interest] += 1
            if heads[interest] < len(queue):
                row, score = queue[heads[interest]]
                ready.append((interest, row, score))
        if not ready:
            break
        strong = [entry for entry in ready if entry[2] >= floor] or ready
        interest, row, score = min(
            strong, key=lambda entry: ((counts[entry[0]] + 1) / shares[entry[0]], -entry[2]))
        picks.append(RankedPick(row, score, interest))
        taken.add(row)
        counts[interest] += 1
    return picks
