"""The arXiv search API (``export.arxiv.org/api/query``): Atom pages of papers.

Used for one-off searches (``search_query``) and for id look-ups (``id_list``),
paged with ``start``/``max_results`` (at most 2,000 a page and 30,000 in all;
more is an HTTP 400). Errors come back as an Atom feed with one entry whose id
points to ``/api/errors``; its summary is what the user needs to read.

The API knows a paper's first and latest submission times but not the listing
date, so the announced date is estimated from the first (a real listing date
from the RSS feed wins over it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from papertide.arxiv_ids import ArxivId, parse_arxiv_id
from papertide.exceptions import (
    InvalidPaperIdError,
    RecordError,
    SourceHTTPError,
    SourceProtocolError,
)
from papertide.models import PaperRecord, PaperVersion
from papertide.sources.calendar import estimated_announce_date
from papertide.sources.fields import (
    clean_text,
    optional_abstract,
    parse_timestamp,
    required_title,
    split_categories,
)
from papertide.sources.skipped import MALFORMED_PAGE, Skipped, skipped_record
from papertide.sources.xmlread import child_text, read_xml

if TYPE_CHECKING:
    from papertide.sources.http import PoliteClient

SOURCE_NAME = "arxiv-api"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
MAX_PAGE_SIZE = 2_000
MAX_RESULTS = 30_000
LOOKUP_BATCH = 100
# arXiv sometimes answers a page with no entries although more exist; ask again this often.
EMPTY_PAGE_RETRIES = 2
SORT_FIELDS = {"relevance": "relevance", "submitted": "submittedDate",
               "updated": "lastUpdatedDate"}
SORT_ORDERS = ("descending", "ascending")


@dataclass(frozen=True, slots=True)
class ApiPage:
    """One Atom page: its records, what was skipped, and the paging numbers."""

    records: list[PaperRecord]
    skipped: list[Skipped]
    total: int | None
    entries: int
    damage: str | None = None
    note: str | None = None
    entry_ids: frozenset[str] = frozenset()

    @property
    def is_whole(self) -> bool:
        return self.damage is None


def parse_api_page(body: bytes, now: dt.datetime, where: str = "API page") -> ApiPage:
    """Records of an Atom page; raises SourceProtocolError for arXiv's error feed."""
    page = read_xml(body, f"{ATOM}entry")
    if page.root is None or page.root.tag != f"{ATOM}feed":
        problem = page.error or f"not an Atom feed (the document is <{_local(page.root)}>)"
        return ApiPage([], [Skipped(MALFORMED_PAGE, f"{where}: {problem}")], None, 0, problem)
    _raise_error_entry(page.records)
    records: list[PaperRecord] = []
    skipped: list[Skipped] = []
    entry_ids: set[str] = set()
    for number, entry in enumerate(page.records, start=1):
        label = (child_text(entry, f"{ATOM}id") or "").strip()
        with contextlib.suppress(RecordError):
            entry_ids.add(_entry_id(label).base)
        try:
            records.append(parse_entry(entry, now))
        except RecordError as error:
            skipped.append(skipped_record(error, f"{where}, {label or f'entry {number}'}"))
    if page.error:
        skipped.append(Skipped(MALFORMED_PAGE, f"{where}: {page.error}; "
                               f"{len(page.records)} entries read before it"))
    return ApiPage(records, skipped, _int(page.root.find(f"{OPENSEARCH}totalResults")),
                   len(page.records), page.error, entry_ids=frozenset(entry_ids))


def parse_entry(entry: ET.Element, now: dt.datetime) -> PaperRecord:
    arxiv_id = _entry_id(child_text(entry, f"{ATOM}id"))
    title = required_title(child_text(entry, f"{ATOM}title"))
    published = parse_timestamp(child_text(entry, f"{ATOM}published"), "published", now)
    updated = parse_timestamp(child_text(entry, f"{ATOM}updated"), "updated", now)
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [category.get("term") for category in entry.findall(f"{ATOM}category")]
    categories = split_categories([term for term in terms if term])
    authors = tuple(
        name for author in entry.findall(f"{ATOM}author")
        if (name := clean_text(child_text(author, f"{ATOM}name")))
    )
    return PaperRecord(
        arxiv_id=arxiv_id.base,
        title=title,
        source=SOURCE_NAME,
        abstract=optional_abstract(child_text(entry, f"{ATOM}summary")),
        authors=authors,
        primary_category=categories[0] if categories else None,
        categories=categories,
        comments=clean_text(child_text(entry, f"{ARXIV}comment")),
        journal_ref=clean_text(child_text(entry, f"{ARXIV}journal_ref")),
        doi=clean_text(child_text(entry, f"{ARXIV}doi")),
        versions=_versions(arxiv_id.version, published, updated),
        submitted_at=published,
        updated_at=updated,
        announced_date=estimated_announce_date(published) if published else None,
        announced_is_estimate=True,
    )


class ArxivApi:
    """Searches and id look-ups against one API endpoint, through a polite client."""

    def __init__(self, client: PoliteClient, url: str) -> None:
        self.client = client
        self.url = url

    def page(
        self,
        now: dt.datetime,
        *,
        query: str = "",
        ids: Sequence[str] = (),
        start: int = 0,
        size: int = 100,
        sort: str | None = None,
        order: str | None = None,
    ) -> ApiPage:
        params = {"search_query": query, "id_list": ",".join(ids), "start": str(start),
                  "max_results": str(size)}
        if sort:
            params["sortBy"] = SORT_FIELDS[sort]
            params["sortOrder"] = order or "descending"
        where = f"API results {start + 1}-{start + size}" if query else "API id look-up"
        try:
            return self.client.get_page(self.url, params,
                                        lambda body: parse_api_page(body, now, where))
        except SourceHTTPError as error:
            raise _with_api_message(error) from None

    def search(
        self,
        query: str,
        now: dt.datetime,
        max_results: int = 100,
        page_size: int = 100,
        sort: str | None = None,
        order: str | None = None,
    ) -> Iterator[ApiPage]:
        """Pages of a search, up to ``max_results`` papers or the end of the results."""
        start = 0
        empty_in_a_row = 0
        while start < max_results:
            size = min(page_size, max_results - start, MAX_PAGE_SIZE)
            page = self.page(now, query=query, start=start, size=size, sort=sort, order=order)
            if page.entries == 0 and page.total and start < page.total and page.is_whole:
                empty_in_a_row += 1
                if empty_in_a_row <= EMPTY_PAGE_RETRIES:
                    continue
                yield replace(page, note=f"arXiv answered an empty page at result {start + 1:,} "
                              f"of {page.total:,} {empty_in_a_row} times; stopped there")
                return
            yield page
            empty_in_a_row = 0
            if page.total is None and page.entries == 0:
                return
            if page.total is not None and start + size >= page.total:
                return
            start += size

    def lookup(
        self, ids: Sequence[str], now: dt.datetime, batch: int = LOOKUP_BATCH
    ) -> Iterator[tuple[list[str], ApiPage]]:
        """Look ids up in batches; yields each batch with its page."""
        for offset in range(0, len(ids), batch):
            chunk = list(ids[offset:offset + batch])
            yield chunk, self.page(now, ids=chunk, size=len(chunk))


def _entry_id(text: str | None) -> ArxivId:
    if not text or not text.strip():
        raise RecordError("missing 'id' (the arXiv id)")
    try:
        return parse_arxiv_id(text.strip())
    except InvalidPaperIdError as error:
        raise RecordError(f"'id': {error}") from None


def _versions(
    version: int | None, published: dt.datetime | None, updated: dt.datetime | None
) -> tuple[PaperVersion, ...]:
    """The API names the first and the latest version only; the ones between stay unknown."""
    if version is None:
        return ()
    if version == 1:
        return (PaperVersion(1, published),)
    return (PaperVersion(1, published), PaperVersion(version, updated))


def _raise_error_entry(entries: list[ET.Element]) -> None:
    for entry in entries:
        entry_id = child_text(entry, f"{ATOM}id") or ""
        if "/api/errors" in entry_id:
            message = clean_text(child_text(entry, f"{ATOM}summary")) or entry_id
            raise SourceProtocolError(f"the arXiv API refused the request: {message}",
                                      entry_id.rsplit("#", 1)[-1])


def _with_api_message(error: SourceHTTPError) -> SourceHTTPError:
    """Put the error feed's own words into the message, when the body is one."""
    try:
        parse_api_page(error.body, dt.datetime.now(dt.UTC))
    except SourceProtocolError as refused:
        return SourceHTTPError(f"{refused} (HTTP {error.status})", error.status, error.url,
                               error.body)
    return error


def _int(element: ET.Element | None) -> int | None:
    if element is None or element.text is None:
        return None
    try:
        return int(element.text.strip())
    except ValueError:
        return None


def _local(element: ET.Element | None) -> str:
    return element.tag.rsplit("}", 1)[-1] if element is not None else "nothing"
