"""Claimed ranges of paper changes, so that every worker embeds a share of the new papers.

The papers that lack a vector are the ones whose ``change_seq`` is above the
model's embedding watermark. They are cut into contiguous ranges of that
sequence, each claimed by one worker under a lease; the worker embeds the
range's papers and stores their vectors while marking the range done, in one
transaction. Ranges of ``change_seq`` rather than batches of arXiv ids,
because the watermark already is a ``change_seq``: it moves over a range once
it and every range below it are done, a paper edited meanwhile moves above
every range (its ``change_seq`` rises) and so lands in a later one rather than
being embedded twice, and a range is two numbers however many papers it holds.

Every claim carries a ``fence`` that rises each time the range is taken over
(its lease ran out, or its holder gave it back): storing vectors names the
fence, so a worker that stalled past its lease and woke up again stores
nothing for a range another worker now holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from papertide.store.vectors import NewVector


@dataclass(frozen=True, slots=True)
class EmbeddingClaim:
    """A range held by one worker: papers with ``after_seq < change_seq <= through_seq``."""

    id: int
    model: str
    after_seq: int
    through_seq: int
    papers: int  # how many papers the range held when it was cut
    fence: int
    taken_over_from: str | None = None  # the holder whose lease ran out, if any
    more_waiting: bool = False  # papers nobody has claimed remain: another worker could help


class EmbeddingClaimStore(Protocol):
    def claim_embedding_range(
        self, model: str, owner: str, now: float, lease_until: float, max_papers: int
    ) -> EmbeddingClaim | None:
        """The oldest range whose lease ran out before ``now`` (taken over), else a new
        range of at most ``max_papers`` papers above every other; ``None`` when no paper
        waits unclaimed. Times are unix seconds."""
        ...

    def renew_embedding_claim(self, claim: EmbeddingClaim, lease_until: float) -> bool:
        """Push the lease forward; False when the range is no longer held under this fence."""
        ...

    def finish_embedding_range(
        self, claim: EmbeddingClaim, vectors: Sequence[NewVector], unchanged: Sequence[str]
    ) -> bool:
        """Store the range's vectors, mark it done and move the watermark over every
        range done below it, atomically; False (and nothing stored) when another
        worker has taken the range over since ``claim``."""
        ...

    def release_embedding_claim(self, claim: EmbeddingClaim) -> bool:
        """Give the range back unfinished, for the next claim anywhere to take."""
        ...

    def restart_embedding(self, model: str) -> None:
        """Every paper is pending again for ``model``: watermark to 0, ranges forgotten
        (their holders then fail their fence and store nothing)."""
        ...

    def embedding_ranges(self, model: str) -> list[tuple[int, int, str]]:
        """The ranges not yet behind the watermark: ``(after_seq, through_seq, state)``."""
        ...
