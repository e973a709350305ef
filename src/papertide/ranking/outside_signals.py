"""What cards show of each paper's outside signals, read once per batch of observations.

Every listing, search page and search API answer shows, per paper, the newest
outside signals (Hugging Face upvotes, code, keywords) and a summary of their
history (front-page snapshots, best rank). Reading them was two window queries
over the observations per request, a tenth of the server's time under mixed
traffic. Observations are only ever added, under the write lock, so what was read
holds until the newest observation's number changes: one cheap query per request
says whether it did, and papers already read cost nothing more.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from papertide.ranking.paper_signals import NO_SIGNALS, SHOWN_SIGNALS, PaperSignals, paper_signals
from papertide.store.base import Store
from papertide.store.signal_summary import SignalSummary, summarise

MAX_PAPERS = 20_000  # about 10 MB; a page asks for 30


class OutsideSignals:
    """Per paper: the card's signals and the summary of their history; thread-safe."""

    def __init__(self, store: Store, max_papers: int = MAX_PAPERS) -> None:
        self.store = store
        self.max_papers = max_papers
        self._lock = threading.Lock()
        self._version = -1
        self._known: dict[str, tuple[PaperSignals, SignalSummary | None]] = {}

    def shown(self, arxiv_ids: Sequence[str]) -> dict[str, PaperSignals]:
        """What cards show (papers never observed are absent)."""
        return {arxiv_id: known for arxiv_id, (known, _) in self._read(arxiv_ids).items()
                if known != NO_SIGNALS}

    def summaries(self, arxiv_ids: Sequence[str]) -> dict[str, SignalSummary]:
        """Each paper's signal history summed up (papers never observed are absent)."""
        return {arxiv_id: summary for arxiv_id, (_, summary) in self._read(arxiv_ids).items()
                if summary is not None}

    def _read(self, arxiv_ids: Sequence[str]
              ) -> dict[str, tuple[PaperSignals, SignalSummary | None]]:
        version = self.store.last_observation_id()
        asked = list(dict.fromkeys(arxiv_ids))
        with self._lock:
            if version != self._version or len(self._known) > self.max_papers:
                self._known, self._version = {}, version
            found = {arxiv_id: self._known[arxiv_id] for arxiv_id in asked
                     if arxiv_id in self._known}
        wanted = [arxiv_id for arxiv_id in asked if arxiv_id not in found]
        if wanted:
            latest = paper_signals(self.store.latest_observations(wanted, SHOWN_SIGNALS))
            series = self.store.signal_series(wanted)
            read = {arxiv_id: (latest.get(arxiv_id, NO_SIGNALS),
                               summarise(series[arxiv_id]) if arxiv_id in series else None)
                    for arxiv_id in wanted}
            with self._lock:
                if self._version == version:  # not if newer observations arrived meanwhile
                    self._known.update(read)
            found.update(read)
        return found
