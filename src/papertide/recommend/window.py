"""The candidate window: recent papers with their vectors, fitted once and shared.

Every person's picks are drawn from the same window, so its vectors, the
stream statistics and the lower-cased texts (for word filters) are built once
per window and database state, not per person or per page view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from papertide.models import Paper
from papertide.recommend.ranker import Matrix, RankerParams, Stream
from papertide.store.base import Store

MAX_WINDOW_PAPERS = 100_000


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date
    end: dt.date  # exclusive
    papers: tuple[Paper, ...]  # only papers that have vectors, newest first
    vectors: Matrix
    stream: Stream
    texts: tuple[str, ...]
    row_of: dict[str, int]

    @classmethod
    def load(cls, store: Store, model: str, start: dt.date, end: dt.date,
             params: RankerParams) -> Window:
        listing = store.list_announced(start, end, MAX_WINDOW_PAPERS)
        vectors = store.vectors_for([paper.arxiv_id for paper in listing.papers], model)
        papers = tuple(paper for paper in listing.papers if paper.arxiv_id in vectors)
        dimension = next(iter(vectors.values())).shape[0] if vectors else 1
        matrix = (np.stack([vectors[paper.arxiv_id] for paper in papers]).astype(np.float32)
                  if papers else np.zeros((0, dimension), np.float32))
        return cls(start, end, papers, matrix, Stream.fit(matrix, params),
                   tuple(f"{paper.title} {paper.abstract or ''}".lower() for paper in papers),
                   {paper.arxiv_id: row for row, paper in enumerate(papers)})
