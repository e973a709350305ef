"""Which phrases are rising: burst detection on their weekly share of papers.

For each phrase, the papers mentioning it in the recent weeks (``a`` of
``N_recent``) are compared with the weeks before (``b`` of ``N_baseline``).
A phrase is rising when its smoothed share grew at least ``min_growth``
times and it has at least ``min_papers`` recent papers; rising phrases are
ranked by Dunning's log-likelihood ratio G² of that 2×2 table, which weighs
how surprising the growth is given how many papers back it (a jump from 1
to 3 papers is noise, from 40 to 120 is news). Pure functions only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SMOOTHING = 0.5


@dataclass(frozen=True, slots=True)
class BurstParams:
    min_papers: int = 8
    min_growth: float = 2.0


@dataclass(frozen=True, slots=True)
class Burst:
    score: float
    recent_share: float
    baseline_share: float
    growth: float


def _xlogx_ratio(observed: float, expected: float) -> float:
    return observed * math.log(observed / expected) if observed > 0 else 0.0


def log_likelihood(a: int, recent_total: int, b: int, baseline_total: int) -> float:
    """Dunning's G² for "a of recent_total" against "b of baseline_total"."""
    total = recent_total + baseline_total
    with_phrase = a + b
    if total == 0 or with_phrase == 0 or with_phrase == total:
        return 0.0
    cells = (
        (a, recent_total * with_phrase / total),
        (recent_total - a, recent_total * (total - with_phrase) / total),
        (b, baseline_total * with_phrase / total),
        (baseline_total - b, baseline_total * (total - with_phrase) / total),
    )
    return 2.0 * sum(_xlogx_ratio(observed, expected) for observed, expected in cells)


def burst(a: int, recent_total: int, b: int, baseline_total: int,
          params: BurstParams) -> Burst | None:
    """The burst of a phrase, or ``None`` when it is not rising (or too rare)."""
    if a < params.min_papers or recent_total <= 0 or baseline_total <= 0:
        return None
    recent_share = a / recent_total
    baseline_share = b / baseline_total
    smoothed = (b + SMOOTHING) / (baseline_total + SMOOTHING)
    growth = recent_share / smoothed
    if growth < params.min_growth:
        return None
    return Burst(log_likelihood(a, recent_total, b, baseline_total), recent_share,
                 baseline_share, growth)
