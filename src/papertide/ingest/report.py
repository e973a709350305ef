"""What one ingest run did, for its one-line summary and the list of skipped records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from papertide.models import UpsertCounts
from papertide.sources.skipped import Skipped

REASONS_SHOWN = 3


@dataclass(slots=True)
class IngestReport:
    """Counts, skips with reasons, notes; ``complete`` is False when the run stopped early."""

    source: str
    scope: str = ""
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    skipped: list[Skipped] = field(default_factory=list)
    observations: int = 0
    requests: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    complete: bool = True

    @property
    def skip_reasons(self) -> Counter[str]:
        return Counter(item.reason for item in self.skipped)

    def summary(self) -> str:
        """``arxiv-rss cs.LG 2026-09-24: 4 new, 0 updated, 0 unchanged, 1 skipped (1 no title)``"""
        counts = self.counts
        text = (f"{self.source}{' ' + self.scope if self.scope else ''}: {counts.new:,} new, "
                f"{counts.updated:,} updated, {counts.unchanged:,} unchanged, "
                f"{len(self.skipped):,} skipped")
        reasons = self.skip_reasons.most_common()
        if reasons:
            shown = ", ".join(f"{count:,} {reason}" for reason, count in reasons[:REASONS_SHOWN])
            more = len(reasons) - REASONS_SHOWN
            text += f" ({shown}{f', {more} more reasons' if more > 0 else ''})"
        if self.observations:
            text += f", {self.observations:,} observations"
        text += f"; {self.requests:,} request{'s' if self.requests != 1 else ''}"
        text += f" in {self.seconds:.1f} s"
        if not self.complete:
            text += "; INCOMPLETE"
        return text
