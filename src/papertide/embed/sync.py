"""Give every paper a vector of the current model, in batches, crash-safely.

The store keeps, per model, the paper ``change_seq`` up to which every paper
has been looked at; each batch saves its vectors and moves that watermark in
one transaction, so an interrupted run loses at most one batch. A changed
paper whose title and abstract are unchanged keeps its vector (only its
facets are refreshed); a paper with another model's vector is re-embedded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from papertide.embed.base import Embedder, paper_text, text_fingerprint
from papertide.store.base import Store
from papertide.store.vectors import NewVector

PAPERS_PER_BATCH = 256
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class EmbedReport:
    embedded: int
    unchanged: int
    remaining: int


def pending_papers(store: Store, model: str) -> int:
    """Papers changed since the last embedding run (new, edited or never embedded)."""
    return store.count_papers_changed_since(store.embedding_watermark(model))


def embed_pending(
    store: Store,
    embedder: Embedder,
    batch_papers: int = PAPERS_PER_BATCH,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    after_batch: Callable[[], None] | None = None,
    force: bool = False,
) -> EmbedReport:
    """Embed papers changed since the watermark until none are left (or ``stop`` is set).

    ``force`` embeds every paper met again, even when its text is unchanged.
    """
    model = embedder.model_name
    watermark = store.embedding_watermark(model)
    total = store.count_papers_changed_since(watermark)
    embedded = unchanged = 0
    while stop is None or not stop.is_set():
        papers = store.papers_changed_since(watermark, batch_papers)
        if not papers:
            break
        known = store.vector_fingerprints([paper.arxiv_id for paper in papers], model)
        texts: dict[str, str] = {}
        same: list[str] = []
        for paper in papers:
            text = paper_text(paper)
            if not force and known.get(paper.arxiv_id) == text_fingerprint(text):
                same.append(paper.arxiv_id)
            else:
                texts[paper.arxiv_id] = text
        vectors = embedder.embed_documents(list(texts.values())) if texts else None
        fresh = [NewVector(arxiv_id, text_fingerprint(text), vectors[i])
                 for i, (arxiv_id, text) in enumerate(texts.items())] if vectors is not None else []
        watermark = papers[-1].change_seq
        store.save_vectors(model, fresh, same, watermark)
        embedded += len(fresh)
        unchanged += len(same)
        if progress:
            progress(embedded + unchanged, max(total, embedded + unchanged))
        if after_batch:
            after_batch()
    remaining = store.count_papers_changed_since(watermark)
    return EmbedReport(embedded=embedded, unchanged=unchanged, remaining=remaining)
