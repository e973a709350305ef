"""Hugging Face daily papers: the papers, and their signals as time-stamped observations.

Numbers (upvotes, comments, stars) are observed on every run: trending needs
their course over time. Texts (the repository link, keywords) rarely change,
so a new observation is kept only when the text differs from the last one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

from papertide.app import Papertide
from papertide.ingest.report import IngestReport
from papertide.ingest.run import Progress, ingest_run
from papertide.ingest.runtime import Sources
from papertide.models import Observation
from papertide.periods import Period
from papertide.sources.hf_daily import PAGE_LIMIT, SOURCE_NAME, TEXT_SIGNALS
from papertide.store.base import Store


def ingest_hf_daily(
    service: Papertide,
    sources: Sources,
    period: Period,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    page_limit: int = PAGE_LIMIT,
) -> IngestReport:
    """Store the daily papers of a day, ISO week or month, page by page."""
    with ingest_run(service, sources, SOURCE_NAME, period.slug, progress, cancel) as run:
        for page in sources.hf.pages(period, run.now, page_limit):
            run.skip(page.skipped)
            if not page.is_whole:
                run.stop_early(f"a page was damaged twice ({page.damage}); stored the "
                               f"{len(page.papers)} papers read before the damage")
            if page.papers:
                observed = [obs for paper in page.papers for obs in paper.observations]
                latest = latest_texts(service.store, {obs.arxiv_id for obs in observed})
                run.store([paper.record for paper in page.papers],
                          observations=fresh_observations(observed, latest))
            run.advance(page.items)
        if run.handled == 0 and run.report.complete:
            run.note(f"Hugging Face lists no daily papers for {period.slug}")
        return run.report


def latest_texts(store: Store, arxiv_ids: Iterable[str]) -> dict[tuple[str, str], str | None]:
    """The last text observed for each (paper, text signal) from this source."""
    latest: dict[tuple[str, str], str | None] = {}
    for arxiv_id in arxiv_ids:
        for observation in store.observations_for(arxiv_id):
            if observation.source == SOURCE_NAME and observation.signal in TEXT_SIGNALS:
                latest[(arxiv_id, observation.signal)] = observation.value_text  # time order
    return latest


def fresh_observations(
    observed: Sequence[Observation], latest: Mapping[tuple[str, str], str | None]
) -> list[Observation]:
    """Every number, and each text only when it differs from what was seen last."""
    return [
        obs for obs in observed
        if obs.signal not in TEXT_SIGNALS
        or latest.get((obs.arxiv_id, obs.signal)) != obs.value_text
    ]
