"""A library with several interests: split it, rank for each, and keep each in the picks.

One direction for a whole library points between its interests: a reader of
speech recognition and of black holes gets papers about neither. So the
library's vectors are split into at most three interests (spherical k-means
from the farthest papers, kept only when every part is big enough and the
parts are clearly apart); each interest trains its own model. The whole
library's model still orders the picks (it is the most precise), each pick
is labelled with the interest that scores it highest, and an interest with
no pick among the first ten has its own best one lifted there, so no
interest goes missing from the top of the page.

Interests are often not apart enough to split (two machine-learning topics
share most of their words and their embeddings): then one direction serves
the library, and the first ten are varied instead. Closeness to the nearest
library paper counts a little beside the direction, so a paper near a few
library papers of a smaller topic is not lost between the big topic's; and
the first ten are chosen one by one, each paying for its similarity to the
picks above it, so near-copies of one subject leave room for the others.
Pure functions only.
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
COVER_DEPTH = 10  # every interest has a pick among the first this many
KMEANS_ROUNDS = 10
# In standard deviations: how much a pick's closeness to its nearest library paper adds
# (a library of one interest only), and how much its closeness to a better pick already
# among the first ten takes away. Chosen on bench/recommend (figures in bench/README.md).
NEAREST_SHARE = 0.15
REPEAT_PENALTY = 0.5
DIVERSE_POOL = 30  # the first ten are chosen from this many


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
                   limit: int, allowed: npt.NDArray[np.bool_], bonus: Matrix | None = None,
                   whole: ProfileModel | None = None) -> list[RankedPick]:
    """The best ``limit`` candidates, each with the interest it serves.

    The whole library's model orders the picks (it is the most precise; for a
    library of one interest, with its closeness to the nearest library paper
    added), the first ``COVER_DEPTH`` are varied (:func:`varied_top`), and
    each interest still missing from them has its own best pick lifted to the
    end of that stretch, so every interest shows at the top.
    ``bonus`` (in standard deviations) lifts followed categories; papers near
    a "not interested" one are pulled down (:func:`disliked_penalty`).
    """
    if len(candidates) == 0 or not interests or not allowed.any():
        return []
    models = [interest.model for interest in interests]
    by_whole = whole is not None and len(interests) > 1
    if whole is not None and by_whole:
        models.append(whole)
    linear = candidates @ np.stack([model.weights for model in models]).T
    scores = np.stack([_standardised(column, allowed) for column in linear.T])
    if bonus is not None:
        scores = scores + bonus[None, :]
    scores = np.where(allowed[None, :], scores, -np.inf).astype(np.float32)
    penalty = disliked_penalty(candidates, models[0].negatives, params)
    scores = scores - penalty[None, :]
    order_by = scores[-1] if by_whole else scores.max(axis=0)
    library = models[-1].positives
    if len(library) and len(interests) == 1:
        nearest = (candidates @ library.T).max(axis=1)
        order_by = order_by + NEAREST_SHARE * _standardised(nearest, allowed)
    owner = np.argmax(scores[:len(interests)], axis=0)
    size = min(SHORTLIST, int(allowed.sum()))
    rows = np.argpartition(-order_by, size - 1)[:size]
    rows = rows[np.argsort(-order_by[rows], kind="stable")]
    ranked = [RankedPick(int(row), float(order_by[row]), int(owner[row])) for row in rows]
    ranked = varied_top(ranked, candidates)
    if len(interests) == 1:
        return ranked[:limit]
    return _cover_every_interest(ranked, scores[:len(interests)])[:limit]


def varied_top(ranked: list[RankedPick], candidates: Matrix) -> list[RankedPick]:
    """The first ``COVER_DEPTH`` picks chosen one by one from the best ``DIVERSE_POOL``,
    each paying ``REPEAT_PENALTY`` times its similarity to the closest pick already
    chosen: a second paper on the same narrow subject gives way to a good one on another
    (maximal marginal relevance)."""
    pool = ranked[:DIVERSE_POOL]
    if len(pool) < 2:
        return ranked
    vectors = candidates[[pick.row for pick in pool]]
    similar = vectors @ vectors.T
    value = np.array([pick.score for pick in pool], dtype=np.float32)
    chosen = [0]
    left = list(range(1, len(pool)))
    while len(chosen) < COVER_DEPTH and left:
        gains = value[left] - REPEAT_PENALTY * similar[np.ix_(left, chosen)].max(axis=1)
        chosen.append(left.pop(int(np.argmax(gains))))
    first = [pool[i] for i in chosen]
    taken = {pick.row for pick in first}
    return [*first, *(pick for pick in ranked if pick.row not in taken)]


def _cover_every_interest(ranked: list[RankedPick], scores: Matrix) -> list[RankedPick]:
    """Lift each interest's best pick into the first ``COVER_DEPTH`` places if it has none."""
    top = ranked[:COVER_DEPTH]
    present = {pick.interest for pick in top}
    shown = {pick.row for pick in top}
    lifted: list[RankedPick] = []
    for interest in range(len(scores)):
        if interest in present:
            continue
        own = [pick for pick in ranked if pick.row not in shown]
        if own:
            best = max(own, key=lambda pick: scores[interest][pick.row])
            lifted.append(RankedPick(best.row, best.score, interest))
            shown.add(best.row)
    if not lifted:
        return ranked
    rows = {pick.row for pick in lifted}
    rest = [pick for pick in ranked if pick.row not in rows]
    keep = COVER_DEPTH - len(lifted)
    return [*rest[:keep], *lifted, *rest[keep:]]
