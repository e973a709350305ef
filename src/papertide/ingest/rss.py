"""The daily run: today's announcements of the followed categories, completed by the API.

The feed says which papers were announced today and gives their exact listing
date; it lacks submission times, comments and version history. Papers the store
does not know yet (or knows at an older version) are looked up through the API in
batches of ids, and both records are stored in one transaction: the API's first,
then the feed's, so each keeps its source and the feed's listing date wins over
the API's estimate. A failed look-up costs the details, never the papers.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from papertide.app import Papertide
from papertide.exceptions import SourceError
from papertide.ingest.report import IngestReport
from papertide.ingest.run import Progress, Run, ingest_run
from papertide.ingest.runtime import Sources
from papertide.models import Paper, PaperRecord
from papertide.sources.arxiv_api import LOOKUP_BATCH
from papertide.sources.arxiv_rss import SOURCE_NAME, RssItem, feed_url, parse_rss


def ingest_arxiv_rss(
    service: Papertide,
    sources: Sources,
    categories: Sequence[str],
    enrich: bool = True,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Fetch the feed of ``categories`` (one request), look up what it lacks, store it all."""
    with ingest_run(service, sources, SOURCE_NAME, "+".join(categories), progress,
                    cancel) as run:
        now = run.now
        feed = sources.arxiv_client.get_page(feed_url(sources.rss_url, categories), {},
                                             lambda body: parse_rss(body, now))
        if feed.announced_date:
            run.report.scope += f" {feed.announced_date.isoformat()}"
        run.skip(feed.skipped)
        if not feed.is_whole:
            run.stop_early(f"the feed was damaged twice ({feed.damage}); stored the "
                           f"{len(feed.items)} items read before the damage")
        elif not feed.items:
            run.note("the feed is empty: arXiv announces nothing on weekends and holidays")
        if not feed.items:
            return run.report
        details = _look_up_missing(run, sources, feed.items) if enrich else []
        run.store(details, [item.record for item in feed.items])
        run.advance(len(feed.items), len(feed.items))
        return run.report


def needs_details(item: RssItem, stored_version: int | None, has_submission: bool) -> bool:
    """Whether the API should fill in what the feed item lacks."""
    if not has_submission:
        return True
    return item.version is not None and (stored_version or 0) < item.version


def _look_up_missing(run: Run, sources: Sources, items: Sequence[RssItem]) -> list[PaperRecord]:
    ids = [item.record.arxiv_id for item in items]
    stored = run.service.store.get_papers(ids)
    wanted = list(dict.fromkeys(
        item.record.arxiv_id for item in items
        if needs_details(item, *_known(stored.get(item.record.arxiv_id)))
    ))
    if not wanted:
        return []
    found: list[PaperRecord] = []
    unusable = 0
    try:
        for _batch, page in sources.api.lookup(wanted, run.now, LOOKUP_BATCH):
            found.extend(page.records)
            unusable += len(page.skipped)
    except SourceError as error:
        run.note(f"the API look-up of {len(wanted):,} papers failed ({error}); stored what the "
                 "feed says, the next run tries again")
        return found
    missing = len(set(wanted) - {record.arxiv_id for record in found})
    if missing or unusable:
        run.note(f"the API had no usable details for {missing + unusable:,} of "
                 f"{len(wanted):,} papers; stored what the feed says")
    return found


def _known(paper: Paper | None) -> tuple[int | None, bool]:
    if paper is None:
        return None, False
    return paper.latest_version, paper.submitted_at is not None
