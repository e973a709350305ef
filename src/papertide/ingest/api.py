"""One-off runs through the arXiv API: a search, or a list of ids.

Each page is stored in its own transaction, so an interrupted search keeps the
pages it finished and running it again changes nothing that is already stored.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from papertide.app import Papertide
from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidPaperIdError
from papertide.ingest.report import IngestReport
from papertide.ingest.run import Progress, ingest_run
from papertide.ingest.runtime import Sources
from papertide.sources.arxiv_api import LOOKUP_BATCH, MAX_PAGE_SIZE, MAX_RESULTS, SOURCE_NAME
from papertide.sources.skipped import MISSING_ID, NOT_FOUND, Skipped


def ingest_arxiv_search(
    service: Papertide,
    sources: Sources,
    query: str,
    max_results: int = 100,
    page_size: int = 100,
    sort: str | None = None,
    order: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Store up to ``max_results`` papers matching ``query`` (arXiv's search syntax)."""
    max_results = min(max_results, MAX_RESULTS)
    page_size = min(page_size, MAX_PAGE_SIZE, max_results)
    with ingest_run(service, sources, SOURCE_NAME, repr(query), progress, cancel) as run:
        for page in sources.api.search(query, run.now, max_results, page_size, sort, order):
            run.skip(page.skipped)
            if not page.is_whole:
                run.stop_early(f"a page of results was damaged twice ({page.damage}); "
                               "kept the entries read before the damage and went on")
            if page.note:
                run.stop_early(page.note)
            if page.records:
                run.store(page.records)
            expected = min(page.total, max_results) if page.total is not None else None
            run.advance(page.entries, expected)
            if page.total == 0:
                run.note(f"arXiv found nothing for {query!r}")
        return run.report


def ingest_arxiv_ids(
    service: Papertide,
    sources: Sources,
    ids: Sequence[str],
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Store the papers of ``ids`` (``2502.01341``, ``hep-th/9901001``, ``2502.01341v2``)."""
    with ingest_run(service, sources, SOURCE_NAME, f"{len(ids):,} ids", progress, cancel) as run:
        valid: list[str] = []
        for text in dict.fromkeys(ids):
            try:
                parse_arxiv_id(text)
            except InvalidPaperIdError as error:
                run.skip([Skipped(MISSING_ID, str(error))])
            else:
                valid.append(text.strip())
        for batch, page in sources.api.lookup(valid, run.now, LOOKUP_BATCH):
            run.skip(page.skipped)
            if page.is_whole:
                run.skip(Skipped(NOT_FOUND, f"{text}: arXiv does not know this id")
                         for text in batch if parse_arxiv_id(text).base not in page.entry_ids)
            else:
                run.stop_early(f"an answer was damaged twice ({page.damage})")
            if page.records:
                run.store(page.records)
            run.advance(len(batch), len(valid))
        return run.report
