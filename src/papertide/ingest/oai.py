"""OAI-PMH harvests: bulk (``--from``) and incremental (from the last datestamp), resumable.

Each page is stored in one transaction together with the harvest's state (the
next resumption token), so a harvest killed at any moment resumes with the
first page it had not stored, and stores nothing twice. An expired token
(``badResumptionToken``: arXiv's last a day) restarts the harvest from its
``from`` date once; records already stored come back unchanged.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence

from papertide.app import Papertide
from papertide.exceptions import SourceProtocolError
from papertide.ingest.oai_state import (
    Harvest,
    harvest_key,
    harvested_key,
    harvested_until,
    load_harvest,
)
from papertide.ingest.report import IngestReport
from papertide.ingest.run import Progress, Run, ingest_run
from papertide.ingest.runtime import Sources
from papertide.models import PaperRecord
from papertide.sources.arxiv_oai import (
    BAD_TOKEN,
    NO_RECORDS,
    SOURCE_NAME,
    OaiPage,
    raise_for_oai_error,
)
from papertide.sources.skipped import NOT_FOLLOWED, Skipped

# With no --from and no earlier harvest, an incremental harvest looks back this far.
FIRST_HARVEST_DAYS = 7
# Re-index every this many pages during a long harvest, so new papers become findable.
SYNC_EVERY_PAGES = 25


def harvest_arxiv_oai(
    service: Papertide,
    sources: Sources,
    set_spec: str | None,
    metadata_format: str = "arXivRaw",
    from_date: dt.date | None = None,
    until_date: dt.date | None = None,
    categories: Sequence[str] = (),
    restart: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Harvest ``set_spec`` (None: everything); resumes an unfinished harvest of the same dates.

    Without ``from_date`` the harvest is incremental: it resumes an unfinished one,
    or starts from the last datestamp harvested. ``categories`` keeps only papers
    in one of them (``cs.LG`` or a whole archive like ``cs``).
    """
    scope = f"{set_spec or 'all sets'} ({metadata_format})"
    with ingest_run(service, sources, SOURCE_NAME, scope, progress, cancel) as run:
        harvest = _starting_point(run, set_spec, metadata_format, from_date, until_date, restart)
        run.report.scope += f" from {harvest.from_date or 'the start'}" + (
            f" until {harvest.until_date}" if harvest.until_date else "")
        while True:
            page = sources.oai.list_records(
                run.now, token=harvest.token, metadata_format=metadata_format,
                set_spec=set_spec, from_date=harvest.from_date, until_date=harvest.until_date,
                where=f"page {harvest.pages + 1}",
            )
            if page.error_code == NO_RECORDS:
                run.note("no records match (nothing changed in that time)")
                run.store([], meta=_finished(run, harvest))
                break
            if page.error_code == BAD_TOKEN:
                harvest = _restarted(run, harvest, page)
                continue
            raise_for_oai_error(page)
            harvest = _store_page(run, harvest, page, categories)
            if harvest.token is None or not page.is_whole:
                break
            if harvest.pages % SYNC_EVERY_PAGES == 0:
                run.sync_index()
        return run.report


def _starting_point(
    run: Run, set_spec: str | None, metadata_format: str, from_date: dt.date | None,
    until_date: dt.date | None, restart: bool,
) -> Harvest:
    store = run.service.store
    saved = load_harvest(store, set_spec, metadata_format)
    incremental = from_date is None and until_date is None
    if saved is not None and not restart and (incremental or saved.same_request(from_date,
                                                                                 until_date)):
        run.note(f"resuming the harvest started {saved.started_at:%Y-%m-%d %H:%M} UTC after "
                 f"{saved.pages:,} pages ({saved.records:,} records)")
        run.advance(saved.records, saved.complete_list_size)
        return saved
    if saved is not None:
        run.note(f"set aside the unfinished harvest from {saved.from_date} "
                 f"({saved.pages:,} pages done): it asked for other dates")
    if incremental:
        from_date = harvested_until(store, set_spec, metadata_format) or (
            run.now.date() - dt.timedelta(days=FIRST_HARVEST_DAYS))
    return Harvest(set_spec, metadata_format, from_date, until_date, run.now)


def _store_page(run: Run, harvest: Harvest, page: OaiPage, categories: Sequence[str]) -> Harvest:
    kept, outside = _followed(page.records, categories)
    run.skip(page.skipped)
    run.skip(Skipped(NOT_FOLLOWED, f"{record.arxiv_id}: {' '.join(record.categories)}")
             for record in outside)
    key = harvest_key(harvest.set_spec, harvest.metadata_format)
    handled = len(page.records) + len(page.skipped)
    if not page.is_whole:
        # Keep what was read, but not the token: the next run fetches this page again.
        run.store(kept, meta={key: harvest.to_json()})
        run.stop_early(f"page {harvest.pages + 1} was damaged twice ({page.damage}); run the "
                       "same command again to resume from it")
        return harvest
    following = harvest.after(page, handled)
    last = following.token is None
    run.store(kept, meta=_finished(run, following) if last else {key: following.to_json()})
    run.advance(handled, following.complete_list_size)
    return following


def _finished(run: Run, harvest: Harvest) -> dict[str, str]:
    """State for the last page: no harvest under way; the next incremental one starts here."""
    store = run.service.store
    previous = harvested_until(store, harvest.set_spec, harvest.metadata_format)
    reached = max(filter(None, (previous, harvest.latest_datestamp)), default=None)
    meta = {harvest_key(harvest.set_spec, harvest.metadata_format): ""}
    if reached is not None:
        meta[harvested_key(harvest.set_spec, harvest.metadata_format)] = reached.isoformat()
    return meta


def _restarted(run: Run, harvest: Harvest, page: OaiPage) -> Harvest:
    if harvest.token is None or harvest.restarts >= 1:
        raise SourceProtocolError(f"the OAI-PMH server refused the harvest ({page.error_code}): "
                                  f"{page.error_message}", page.error_code or BAD_TOKEN)
    run.note(f"the server no longer knows the resumption token ({page.error_message}); "
             f"starting again from {harvest.from_date or 'the start'}: stored records come back "
             "unchanged")
    return Harvest(harvest.set_spec, harvest.metadata_format, harvest.from_date,
                   harvest.until_date, harvest.started_at, restarts=harvest.restarts + 1)


def _followed(records: list[PaperRecord], categories: Sequence[str]
              ) -> tuple[list[PaperRecord], list[PaperRecord]]:
    if not categories:
        return records, []
    kept: list[PaperRecord] = []
    outside: list[PaperRecord] = []
    for record in records:
        (kept if follows(record.categories, categories) else outside).append(record)
    return kept, outside


def follows(paper_categories: Sequence[str], followed: Sequence[str]) -> bool:
    """``cs.LG`` follows cs.LG only; an archive name like ``cs`` follows all of it."""
    for category in paper_categories:
        for wanted in followed:
            if category == wanted or ("." not in wanted and category.startswith(wanted + ".")):
                return True
    return False
