"""arXiv's OAI-PMH interface (``oaipmh.arxiv.org/oai``): bulk and incremental harvests.

``ListRecords`` returns pages of up to about a thousand records; each page but
the last ends with a ``resumptionToken`` that asks for the next (tokens expire
after a day). Every record header carries a ``datestamp``, the day it last
changed, which is what an incremental harvest continues ``from``.

Two metadata formats are read: ``arXivRaw`` lists every version with its
submission time (so the version history is complete); ``arXiv`` has structured
author names but only the first (``created``) and last (``updated``) dates.
OAI-PMH has no listing dates, so the announced date is an estimate.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papertide.exceptions import RecordError, SourceHTTPError, SourceProtocolError
from papertide.models import PaperRecord, PaperVersion
from papertide.sources.authors import parse_authors
from papertide.sources.calendar import ARXIV_TIMEZONE, estimated_announce_date
from papertide.sources.fields import (
    clean_text,
    optional_abstract,
    parse_day,
    parse_timestamp,
    required_id,
    required_title,
    split_categories,
)
from papertide.sources.skipped import DELETED, MALFORMED_PAGE, Skipped, skipped_record
from papertide.sources.xmlread import child_text, read_xml

if TYPE_CHECKING:
    from papertide.sources.http import PoliteClient

SOURCE_NAME = "arxiv-oai"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"
ARXIV_RAW = "{http://arxiv.org/OAI/arXivRaw/}"
METADATA_FORMATS = ("arXivRaw", "arXiv")
NO_RECORDS = "noRecordsMatch"
BAD_TOKEN = "badResumptionToken"
_VERSION = re.compile(r"v?(\d{1,4})")
# The arXiv format has submission days without a time: assume mid-day Eastern.
_DAY_ONLY_TIME = dt.time(12, 0)


@dataclass(frozen=True, slots=True)
class ResumptionToken:
    value: str
    cursor: int | None
    complete_list_size: int | None


@dataclass(frozen=True, slots=True)
class OaiPage:
    """One ListRecords answer: records, skips, the next token, or the OAI error it carried."""

    records: list[PaperRecord]
    skipped: list[Skipped]
    token: ResumptionToken | None
    latest_datestamp: dt.date | None
    damage: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.damage is None

    @property
    def is_last(self) -> bool:
        return self.is_whole and self.token is None


def parse_oai_page(body: bytes, now: dt.datetime, where: str = "OAI-PMH page") -> OaiPage:
    page = read_xml(body, f"{OAI}record")
    if page.root is None or page.root.tag != f"{OAI}OAI-PMH":
        problem = page.error or "not an OAI-PMH answer"
        return OaiPage([], [Skipped(MALFORMED_PAGE, f"{where}: {problem}")], None, None, problem)
    error = page.root.find(f"{OAI}error")
    if error is not None:
        return OaiPage([], [], None, None, page.error, error.get("code") or "error",
                       clean_text("".join(error.itertext())) or "")
    records: list[PaperRecord] = []
    skipped: list[Skipped] = []
    latest: dt.date | None = None
    for number, element in enumerate(page.records, start=1):
        header = element.find(f"{OAI}header")
        identifier = (child_text(header, f"{OAI}identifier") if header is not None else None) or ""
        label = f"{where}, record {number} ({identifier.strip() or 'no identifier'})"
        try:
            stamp = parse_day(child_text(header, f"{OAI}datestamp"), "datestamp", now) \
                if header is not None else None
            if stamp and (latest is None or stamp > latest):
                latest = stamp
            if header is not None and header.get("status") == "deleted":
                skipped.append(Skipped(DELETED, f"{label}: deleted"))
                continue
            records.append(parse_record(element, identifier, now))
        except RecordError as problem:
            skipped.append(skipped_record(problem, label))
    if page.error:
        skipped.append(Skipped(MALFORMED_PAGE, f"{where}: {page.error}; "
                               f"{len(page.records)} records read before it"))
        return OaiPage(records, skipped, None, latest, page.error)
    return OaiPage(records, skipped, _token(page.root), latest)


def parse_record(element: ET.Element, identifier: str, now: dt.datetime) -> PaperRecord:
    metadata = element.find(f"{OAI}metadata")
    raw = metadata.find(f"{ARXIV_RAW}arXivRaw") if metadata is not None else None
    if raw is not None:
        return _raw_record(raw, identifier, now)
    structured = metadata.find(f"{ARXIV}arXiv") if metadata is not None else None
    if structured is not None:
        return _arxiv_record(structured, identifier, now)
    raise RecordError("no arXiv or arXivRaw metadata in the record")


def _raw_record(raw: ET.Element, identifier: str, now: dt.datetime) -> PaperRecord:
    ns = ARXIV_RAW
    versions = _raw_versions(raw, now)
    first = versions[0].submitted if versions and versions[0].version == 1 else None
    categories = split_categories(child_text(raw, f"{ns}categories"))
    return PaperRecord(
        arxiv_id=required_id(child_text(raw, f"{ns}id") or identifier, "id"),
        title=required_title(child_text(raw, f"{ns}title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(child_text(raw, f"{ns}abstract")),
        authors=parse_authors(child_text(raw, f"{ns}authors")),
        primary_category=categories[0] if categories else None,
        categories=categories,
        comments=clean_text(child_text(raw, f"{ns}comments")),
        journal_ref=clean_text(child_text(raw, f"{ns}journal-ref")),
        doi=clean_text(child_text(raw, f"{ns}doi")),
        license=clean_text(child_text(raw, f"{ns}license")),
        versions=versions,
        submitted_at=first,
        updated_at=versions[-1].submitted if versions else None,
        announced_date=estimated_announce_date(first) if first else None,
        announced_is_estimate=True,
    )


def _raw_versions(raw: ET.Element, now: dt.datetime) -> tuple[PaperVersion, ...]:
    versions: dict[int, PaperVersion] = {}
    for element in raw.findall(f"{ARXIV_RAW}version"):
        match = _VERSION.fullmatch((element.get("version") or "").strip())
        if not match:
            raise RecordError(f"'version': {element.get('version')!r} is not a version like v2")
        number = int(match.group(1))
        submitted = parse_timestamp(child_text(element, f"{ARXIV_RAW}date"), "version date", now)
        versions[number] = PaperVersion(number, submitted)
    return tuple(versions[number] for number in sorted(versions))


def _arxiv_record(meta: ET.Element, identifier: str, now: dt.datetime) -> PaperRecord:
    ns = ARXIV
    created = parse_day(child_text(meta, f"{ns}created"), "created", now)
    updated = parse_day(child_text(meta, f"{ns}updated"), "updated", now)
    categories = split_categories(child_text(meta, f"{ns}categories"))
    authors = tuple(
        name for author in meta.findall(f"{ns}authors/{ns}author")
        if (name := clean_text(" ".join(
            part for tag in ("forenames", "keyname", "suffix")
            if (part := child_text(author, f"{ns}{tag}"))
        )))
    )
    return PaperRecord(
        arxiv_id=required_id(child_text(meta, f"{ns}id") or identifier, "id"),
        title=required_title(child_text(meta, f"{ns}title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(child_text(meta, f"{ns}abstract")),
        authors=authors,
        primary_category=categories[0] if categories else None,
        categories=categories,
        comments=clean_text(child_text(meta, f"{ns}comments")),
        journal_ref=clean_text(child_text(meta, f"{ns}journal-ref")),
        doi=clean_text(child_text(meta, f"{ns}doi")),
        license=clean_text(child_text(meta, f"{ns}license")),
        submitted_at=_midnight(created),
        updated_at=_midnight(updated or created),
        announced_date=(estimated_announce_date(
            dt.datetime.combine(created, _DAY_ONLY_TIME, ARXIV_TIMEZONE)) if created else None),
        announced_is_estimate=True,
    )


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), dt.UTC) if day else None


def _token(root: ET.Element) -> ResumptionToken | None:
    element = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
    if element is None or not (element.text or "").strip():
        return None  # an empty token marks the last page
    return ResumptionToken((element.text or "").strip(), _int(element.get("cursor")),
                           _int(element.get("completeListSize")))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class ArxivOai:
    """ListRecords requests against one OAI-PMH endpoint, through a polite client."""

    def __init__(self, client: PoliteClient, url: str) -> None:
        self.client = client
        self.url = url

    def list_records(
        self,
        now: dt.datetime,
        *,
        token: str | None = None,
        metadata_format: str = "arXivRaw",
        set_spec: str | None = None,
        from_date: dt.date | None = None,
        until_date: dt.date | None = None,
        where: str = "OAI-PMH page",
    ) -> OaiPage:
        """One page; OAI errors come back in the page (``error_code``), HTTP ones raise."""
        params = {"verb": "ListRecords"}
        if token:
            params["resumptionToken"] = token  # OAI-PMH: the token is the only argument
        else:
            params["metadataPrefix"] = metadata_format
            if set_spec:
                params["set"] = set_spec
            if from_date:
                params["from"] = from_date.isoformat()
            if until_date:
                params["until"] = until_date.isoformat()
        try:
            return self.client.get_page(self.url, params,
                                        lambda body: parse_oai_page(body, now, where))
        except SourceHTTPError as error:
            page = parse_oai_page(error.body, now, where)
            if page.error_code:
                return page
            raise


def raise_for_oai_error(page: OaiPage) -> None:
    """Errors other than the expected ones (no records, stale token) end the harvest."""
    if page.error_code and page.error_code not in (NO_RECORDS, BAD_TOKEN):
        raise SourceProtocolError(
            f"the OAI-PMH server refused the request ({page.error_code}): {page.error_message}",
            page.error_code,
        )
