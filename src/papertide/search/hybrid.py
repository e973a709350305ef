"""Fusing keyword (BM25) and vector (cosine) rankings: pure functions.

Chosen by measurement on the SciFact *train* queries (bench/retrieval): a
weighted sum of the BM25 score divided by the best BM25 score of the query
and the raw cosine similarity beat reciprocal rank fusion (figures in
bench/README.md). Cosine is left unnormalised on purpose: it is already on
an absolute scale, so a query whose meaning matches nothing well (an author
name, a code) cannot lift its best weak match to the top the way rank- or
max-normalisation would. BM25 is anchored at the top result only, so a
paper's fused score never depends on how deep the lists were read, and the
pages of one query stay consistent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

SearchMode = Literal["keyword", "semantic", "hybrid"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "keyword", "semantic")
KEYWORD_WEIGHT = 0.25
RRF_K = 60


@dataclass(frozen=True, slots=True)
class Fused:
    arxiv_id: str
    score: float


def weighted_fusion(
    keyword: Sequence[tuple[str, float]],
    semantic: Mapping[str, float],
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[Fused]:
    """Rank the union of both candidate sets by a weighted sum of normalised scores.

    ``keyword`` is the BM25 ranking (best first); ``semantic`` maps every
    candidate with a vector to its cosine similarity. A paper missing from
    one side scores 0 there (it was not among that side's candidates).
    """
    top_keyword = max((score for _, score in keyword), default=0.0)
    keyword_part = {arxiv_id: score / top_keyword if top_keyword > 0 else 0.0
                    for arxiv_id, score in keyword}
    candidates = list(dict.fromkeys([*(arxiv_id for arxiv_id, _ in keyword), *semantic]))
    fused = [
        Fused(arxiv_id,
              keyword_weight * keyword_part.get(arxiv_id, 0.0)
              + (1 - keyword_weight) * max(semantic.get(arxiv_id, 0.0), 0.0))
        for arxiv_id in candidates
    ]
    return _ranked(fused, candidates)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[Fused]:
    """Classic RRF: each list adds ``1 / (k + rank)`` for the papers it ranks."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, arxiv_id in enumerate(ranking, start=1):
            scores[arxiv_id] = scores.get(arxiv_id, 0.0) + 1.0 / (k + rank)
    candidates = list(scores)
    return _ranked([Fused(arxiv_id, score) for arxiv_id, score in scores.items()], candidates)


def _ranked(fused: list[Fused], candidates: list[str]) -> list[Fused]:
    """Best first; ties keep the order the candidates came in (keyword first)."""
    position = {arxiv_id: i for i, arxiv_id in enumerate(candidates)}
    return sorted(fused, key=lambda item: (-item.score, position[item.arxiv_id]))
