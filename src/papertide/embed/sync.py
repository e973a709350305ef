"""Give every paper a vector of the current model, shared by every process that embeds.

The papers changed since the model's watermark are cut into claimed ranges
(``store.embedding_claims``): each process that embeds (a worker's job, the
web server's background thread, ``papertide embed``) claims a range under a
lease, embeds its papers, and stores their vectors while marking the range
done, in one transaction; so N processes embed about N times as fast, none
embeds a paper another one did, an interrupted process loses at most its
range, and a process killed mid-range has its range taken over once its lease
runs out. A changed paper whose title and abstract are unchanged keeps its
vector (only its facets are refreshed); a paper with another model's vector is
re-embedded.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from papertide.embed.base import Embedder, paper_text, text_fingerprint
from papertide.models import Paper
from papertide.processes import new_owner
from papertide.store.base import Store
from papertide.store.embedding_claims import EmbeddingClaim
from papertide.store.vectors import NewVector

# A range is this many model batches: claiming costs nothing beside embedding it, and
# N processes finish within one range of one another.
BATCHES_PER_RANGE = 8
DEFAULT_LEASE_SECONDS = 60.0
ProgressCallback = Callable[[int, int], None]
logger = logging.getLogger("papertide.embed")


@dataclass(frozen=True, slots=True)
class EmbedReport:
    embedded: int
    unchanged: int
    remaining: int
    ranges: int = 0  # ranges this process finished
    lost: int = 0  # ranges it had to leave to another process (its lease ran out)
    taken_over: int = 0  # ranges it took from a process that stopped (whose lease ran out)


@dataclass(frozen=True, slots=True)
class EmbeddingTurn:
    """Who embeds and under what lease: one per process (``owner``), a wall clock in
    unix seconds (tests pass their own) and how long a claim lasts unrenewed."""

    owner: str
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    wall: Callable[[], float] = time.time

    @classmethod
    def for_this_process(cls, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> EmbeddingTurn:
        return cls(new_owner(), lease_seconds)


def pending_papers(store: Store, model: str) -> int:
    """Papers changed since the last embedding run (new, edited or never embedded)."""
    return store.count_papers_changed_since(store.embedding_watermark(model))


def embed_pending(
    store: Store,
    embedder: Embedder,
    turn: EmbeddingTurn,
    batch_size: int = 32,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    after_range: Callable[[], None] | None = None,
    more_waiting: Callable[[], None] | None = None,
    force: bool = False,
) -> EmbedReport:
    """Claim and embed ranges until none is left unclaimed (or ``stop`` is set).

    ``more_waiting`` is called when a claim leaves papers nobody has claimed (a
    worker queues a job there, so that an idle worker joins in); ``force``
    embeds every paper met again, even when its text is unchanged.
    """
    model = embedder.model_name
    total = pending_papers(store, model)
    embedded = unchanged = ranges = lost = taken_over = 0
    while stop is None or not stop.is_set():
        now = turn.wall()
        claim = store.claim_embedding_range(model, turn.owner, now, now + turn.lease_seconds,
                                            batch_size * BATCHES_PER_RANGE)
        if claim is None:
            break
        if claim.taken_over_from:
            taken_over += 1
            logger.info("taking over the papers of changes %d-%d from %s (its lease ran out)",
                        claim.after_seq + 1, claim.through_seq, claim.taken_over_from)
        if claim.more_waiting and more_waiting is not None:
            more_waiting()
        result = _embed_range(store, embedder, turn, claim, batch_size, stop, force)
        if result is None:
            if stop is not None and stop.is_set():
                break
            lost += 1
            continue
        embedded += result[0]
        unchanged += result[1]
        ranges += 1
        if progress:
            progress(embedded + unchanged, max(total, embedded + unchanged))
        if after_range:
            after_range()
    remaining = pending_papers(store, model)
    return EmbedReport(embedded, unchanged, remaining, ranges, lost, taken_over)


def _embed_range(store: Store, embedder: Embedder, turn: EmbeddingTurn, claim: EmbeddingClaim,
                 batch_size: int, stop: threading.Event | None, force: bool
                 ) -> tuple[int, int] | None:
    """Embed and store one claimed range: (embedded, unchanged); ``None`` when stopped
    before the end (the range is given back) or when another process took it over.

    The texts go to the model a batch at a time, shortest first (little padding), and
    the lease is renewed between batches once a quarter of it has passed."""
    papers = [paper for paper in store.papers_changed_since(claim.after_seq, claim.papers)
              if paper.change_seq <= claim.through_seq]
    texts, same = _to_embed(store, claim.model, papers, force)
    fresh: list[NewVector] = []
    renewed = turn.wall()
    items = sorted(texts.items(), key=lambda item: len(item[1]))
    try:
        for start in range(0, len(items), batch_size):
            if stop is not None and stop.is_set():
                store.release_embedding_claim(claim)
                return None
            if turn.wall() - renewed > turn.lease_seconds / 4:
                renewed = turn.wall()
                if not store.renew_embedding_claim(claim, renewed + turn.lease_seconds):
                    return None
            part = items[start:start + batch_size]
            vectors = embedder.embed_documents([text for _, text in part])
            fresh += [NewVector(arxiv_id, text_fingerprint(text), vectors[i])
                      for i, (arxiv_id, text) in enumerate(part)]
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            store.release_embedding_claim(claim)  # the next claim anywhere takes it now
        raise
    if not store.finish_embedding_range(claim, fresh, same):
        return None
    return len(fresh), len(same)


def _to_embed(store: Store, model: str, papers: list[Paper], force: bool
              ) -> tuple[dict[str, str], list[str]]:
    """The texts to embed by paper, and the papers whose stored vector is still current."""
    known = store.vector_fingerprints([paper.arxiv_id for paper in papers], model)
    texts: dict[str, str] = {}
    same: list[str] = []
    for paper in papers:
        text = paper_text(paper)
        if not force and known.get(paper.arxiv_id) == text_fingerprint(text):
            same.append(paper.arxiv_id)
        else:
            texts[paper.arxiv_id] = text
    return texts, same
