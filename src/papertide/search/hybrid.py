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

The keyword weight adapts to the query (``keyword_evidence``): when the best
keyword match holds the query's words with near-maximal BM25 weight (rare
words, nearly all of them in one paper: someone typing what they remember of
a paper, or its title), keywords are decisive and count more. Natural-language
questions rarely get there: on SciFact and Cranfield 90% of queries stay below
0.8 and 0.6, where known-item queries of the bundled sample start
(bench/known_item.py, figures in bench/README.md).

Two known-item signals override the fused order at the top, because
meaning cannot tell a remembered paper from its neighbours (the rest of the
list stays fused): a paper whose title *is* the query, and the one paper among
the best keyword matches that holds every word of the query (words no paper
holds, such as a fragment of a link, do not count). BM25 alone misses both:
a longer title holding the same words, or a paper holding three of the words
in its title, can score higher. Natural-language questions rarely meet
either test, and when a single paper holds all their words it is usually the
right one (SciFact test nDCG@10 rose).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

SearchMode = Literal["keyword", "semantic", "hybrid"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "keyword", "semantic")
KEYWORD_WEIGHT = 0.25
RRF_K = 60
# Keyword evidence (see ``keyword_evidence``) from which the keyword weight rises,
# and where it reaches DECISIVE_WEIGHT. Chosen on SciFact train and the known-item set.
EVIDENCE_FROM = 0.6
EVIDENCE_FULL = 0.9
DECISIVE_WEIGHT = 0.6
# Known-item tests look at this many of the best keyword matches; the every-word test
# needs a query of at least KNOWN_ITEM_WORDS distinct words, the title test two.
KNOWN_ITEM_DEPTH = 5
KNOWN_ITEM_WORDS = 3
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, split as the keyword index splits


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


def keyword_evidence(top_score: float, query_text: str, papers: int) -> float:
    """How decisive the keyword side is: the best BM25 score per query word, as a share
    of the most one word can score in a field (its IDF were a single paper to hold it).

    About 1 when the best paper holds every word of the query and the words are rare;
    0.3-0.5 for a typical question, whose common words many papers share.
    """
    words = len(_WORD.findall(query_text))
    most = math.log(1 + (papers - 0.5) / 1.5) if papers > 0 else 0.0
    return top_score / (words * most) if words and most > 0 else 0.0


def adaptive_fusion(
    keyword: Sequence[tuple[str, float]],
    semantic: Mapping[str, float],
    evidence: float,
    keyword_weight: float = KEYWORD_WEIGHT,
    first: Sequence[str] = (),
) -> list[Fused]:
    """``weighted_fusion`` with the keyword weight raised as keyword evidence grows;
    the papers in ``first`` (see :func:`known_items`) lead, in fused order."""
    share = min(max((evidence - EVIDENCE_FROM) / (EVIDENCE_FULL - EVIDENCE_FROM), 0.0), 1.0)
    weight = keyword_weight + max(DECISIVE_WEIGHT - keyword_weight, 0.0) * share
    fused = weighted_fusion(keyword, semantic, weight)
    if first:
        leading = set(first)
        fused = ([item for item in fused if item.arxiv_id in leading]
                 + [item for item in fused if item.arxiv_id not in leading])
    return fused


def words_of(text: str) -> frozenset[str]:
    """The distinct lower-cased words (letters and digits) of a text."""
    return frozenset(_TOKEN.findall(text.lower()))


def known_items(
    query_text: str, best: Sequence[tuple[str, str, str]], unknown: frozenset[str] = frozenset()
) -> list[str]:
    """The papers a known-item query points at among the best keyword matches, if any.

    ``best`` holds ``(arxiv_id, title, abstract)`` of the first keyword matches,
    best first; ``unknown`` the query words no paper holds. A paper whose title
    is the query (case, spacing and punctuation aside) is meant; failing that, the
    only one of them holding every known word of a query of three words or more.
    """
    asked = _TOKEN.findall(query_text.lower())
    if len(asked) >= 2:
        titled = [arxiv_id for arxiv_id, title, _ in best
                  if _TOKEN.findall(title.lower()) == asked]
        if titled:
            return titled
    wanted = frozenset(asked) - unknown
    if len(wanted) < KNOWN_ITEM_WORDS:
        return []
    holders = [arxiv_id for arxiv_id, title, abstract in best
               if wanted <= words_of(f"{title} {abstract}")]
    return holders if len(holders) == 1 else []


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
