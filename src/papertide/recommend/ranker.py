"""The recommendation ranker: pure functions of vectors, chosen by ``bench/recommend``.

A profile becomes a linear model on embeddings: the direction from the
stream's mean to the profile's mean, whitened by the stream's covariance
(Fisher's discriminant with the stream as negatives; closed form, so ten
thousand profiles train in about a second). The best candidates by that score
are re-ranked: "not interested" papers pull their neighbours down, and the
similarity to the nearest profile papers can be blended in (the evaluation
found it does not help, so its default share is 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
SHORTLIST = 300


@dataclass(frozen=True, slots=True)
class RankerParams:
    shrinkage: float = 0.2  # added to the covariance diagonal (tuned in bench/recommend)
    nearest: int = 3  # profile papers averaged in the nearest-items score
    nearest_weight: float = 0.0  # share of nearest-items scores (the evaluation chose none)
    negative_weight: float = 1.0  # how hard a "not interested" paper pushes neighbours down
    close_similarity: float = 0.6  # a "not interested" paper pulls down papers this close


@dataclass(frozen=True, slots=True)
class Stream:
    """What profiles are contrasted with: recent papers' mean and whitening matrix."""

    mean: Matrix
    whitening: Matrix

    @classmethod
    def fit(cls, vectors: Matrix, params: RankerParams) -> Stream:
        dimension = vectors.shape[1]
        if len(vectors) < 2:
            return cls(np.zeros(dimension, np.float32), np.eye(dimension, dtype=np.float32))
        mean = vectors.mean(axis=0)
        centred = vectors - mean
        covariance = centred.T @ centred / (len(vectors) - 1)
        covariance += params.shrinkage * np.eye(dimension, dtype=np.float32)
        return cls(mean.astype(np.float32), np.linalg.inv(covariance).astype(np.float32))


@dataclass(frozen=True, slots=True)
class ProfileModel:
    """One person's trained model: a direction plus the papers it came from."""

    weights: Matrix  # (d,)
    positives: Matrix  # (k, d) unit rows
    negatives: Matrix  # (m, d) unit rows


def train(positives: Matrix, negatives: Matrix, stream: Stream) -> ProfileModel:
    """Closed-form linear model: whitened (profile mean - stream mean).

    Dislikes are kept aside, not folded into the direction: one "not
    interested" must lower that paper and its close neighbours
    (:func:`disliked_penalty`), not tilt away from a whole interest.
    """
    dimension = stream.mean.shape[0]
    if len(positives) == 0:
        weights = np.zeros(dimension, np.float32)
    else:
        weights = stream.whitening @ (positives.mean(axis=0) - stream.mean)
        norm = float(np.linalg.norm(weights))
        weights = weights / norm if norm > 0 else weights
    return ProfileModel(weights.astype(np.float32), positives.astype(np.float32),
                        negatives.astype(np.float32))


def linear_scores(candidates: Matrix, models_weights: Matrix) -> Matrix:
    """(users, candidates) linear scores for many models at once."""
    return np.asarray(models_weights @ candidates.T, dtype=np.float32)


def _standardise(values: Matrix) -> Matrix:
    spread = float(values.std())
    return np.asarray((values - values.mean()) / (spread if spread > 1e-9 else 1.0),
                      dtype=np.float32)


def nearest_scores(candidates: Matrix, profile: Matrix, nearest: int) -> Matrix:
    """Mean similarity of each candidate to its ``nearest`` closest profile papers."""
    if len(profile) == 0:
        return np.zeros(len(candidates), np.float32)
    similarities = candidates @ profile.T
    count = min(nearest, profile.shape[0])
    top = -np.partition(-similarities, count - 1, axis=1)[:, :count]
    return np.asarray(top.mean(axis=1), dtype=np.float32)


def disliked_penalty(candidates: Matrix, negatives: Matrix, params: RankerParams) -> Matrix:
    """How far (in standard deviations) "not interested" papers pull each candidate down.

    Nothing below ``close_similarity`` to every dislike; up to
    ``4 × negative_weight`` for a near copy of one.
    """
    if len(negatives) == 0 or len(candidates) == 0:
        return np.zeros(len(candidates), np.float32)
    closest = (candidates @ negatives.T).max(axis=1)
    closeness = np.clip((closest - params.close_similarity) / (1 - params.close_similarity),
                        0.0, 1.0)
    return np.asarray(4.0 * params.negative_weight * closeness, dtype=np.float32)


def rerank(candidates: Matrix, linear: Matrix, model: ProfileModel,
           params: RankerParams) -> Matrix:
    """Final scores of a shortlist: linear and nearest-items blended, dislikes subtracted."""
    blended = _standardise(linear)
    if params.nearest_weight > 0:
        nearest = nearest_scores(candidates, model.positives, params.nearest)
        blended = ((1 - params.nearest_weight) * blended
                   + params.nearest_weight * _standardise(nearest))
    blended -= disliked_penalty(candidates, model.negatives, params)
    return np.asarray(blended, dtype=np.float32)


def rank(candidates: Matrix, model: ProfileModel, params: RankerParams,
         limit: int, allowed: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
    """``(candidate row, score)`` of the best ``limit`` candidates, best first."""
    if len(candidates) == 0:
        return []
    linear = linear_scores(candidates, model.weights[None, :])[0]
    if allowed is not None:
        linear = np.where(allowed, linear, -np.inf).astype(np.float32)
    return shortlist_rank(candidates, linear, model, params, limit)


def shortlist_rank(candidates: Matrix, linear: Matrix, model: ProfileModel,
                   params: RankerParams, limit: int) -> list[tuple[int, float]]:
    """Re-rank the best linear scores (``-inf`` rows are excluded)."""
    size = min(SHORTLIST, len(linear))
    rows = np.argpartition(-linear, size - 1)[:size]
    rows = rows[np.isfinite(linear[rows])]
    if len(rows) == 0:
        return []
    final = rerank(candidates[rows], linear[rows], model, params)
    order = np.argsort(-final, kind="stable")[:limit]
    return [(int(rows[i]), float(final[i])) for i in order]


def rank_many(candidates: Matrix, models: list[ProfileModel], params: RankerParams,
              limit: int, block: int = 256) -> list[list[tuple[int, float]]]:
    """:func:`rank` for many people: linear scores come from one matrix product per block."""
    ranked: list[list[tuple[int, float]]] = []
    for start in range(0, len(models), block):
        chunk = models[start:start + block]
        linear = linear_scores(candidates, np.stack([model.weights for model in chunk]))
        ranked.extend(shortlist_rank(candidates, row, model, params, limit)
                      for row, model in zip(linear, chunk, strict=True))
    return ranked
