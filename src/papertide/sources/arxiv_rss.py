"""arXiv's daily announcement feeds (``rss.arxiv.org/rss/cs.LG+cs.CL``).

One feed a day per set of categories, dated at midnight US Eastern; its items
are that day's announcements, each tagged ``arxiv:announce_type``:

- ``new``: first announcement; the channel date is the paper's announced date;
- ``cross``: a cross-list; at version 1 it is announced the same day as the
  paper itself, later it is an old paper newly cross-listed;
- ``replace`` / ``replace-cross``: a new version of an older paper.

So only ``new`` and first-version ``cross`` items carry an announced date.
Feeds are empty on weekends and holidays. Items have no submission times,
comments or version history: the ingest run fills those in from the API.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidPaperIdError, RecordError
from papertide.models import PaperRecord, PaperVersion
from papertide.sources.authors import parse_authors
from papertide.sources.calendar import ARXIV_TIMEZONE
from papertide.sources.fields import (
    check_plausible,
    clean_text,
    optional_abstract,
    required_title,
    split_categories,
)
from papertide.sources.skipped import BAD_DATE, MALFORMED_PAGE, Skipped, skipped_record
from papertide.sources.xmlread import child_text, read_xml

SOURCE_NAME = "arxiv-rss"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
_ANNOUNCE_IN_TEXT = re.compile(r"Announce Type:\s*(\S+)")
_ABSTRACT = re.compile(r"Abstract:\s*(.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class RssItem:
    """One announcement: the paper as the feed describes it, and what kind of news it is."""

    record: PaperRecord
    announce_type: str
    version: int | None

    @property
    def is_first_announcement(self) -> bool:
        return is_first_announcement(self.announce_type, self.version)


def is_first_announcement(announce_type: str, version: int | None) -> bool:
    """Whether the feed's date is the paper's own announced date."""
    return announce_type == "new" or (announce_type == "cross" and version in (None, 1))


@dataclass(frozen=True, slots=True)
class RssFeed:
    """A parsed feed: its date, its items, and what had to be skipped."""

    announced_date: dt.date | None
    items: list[RssItem]
    skipped: list[Skipped]
    damage: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.damage is None


def feed_url(base_url: str, categories: Sequence[str]) -> str:
    return f"{base_url.rstrip('/')}/{'+'.join(categories)}"


def parse_rss(body: bytes, now: dt.datetime, where: str = "RSS feed") -> RssFeed:
    page = read_xml(body, "item")
    channel = page.root.find("channel") if page.root is not None else None
    if page.root is None or page.root.tag != "rss" or channel is None:
        problem = page.error or "not an RSS feed (no <rss><channel>)"
        return RssFeed(None, [], [Skipped(MALFORMED_PAGE, f"{where}: {problem}")], problem)
    skipped: list[Skipped] = []
    try:
        announced = channel_date(channel, now)
    except RecordError as error:
        for item in page.records:
            skipped.append(Skipped(BAD_DATE, f"{where}, {_label(item)}: the feed's {error}"))
        return RssFeed(None, [], skipped, page.error)
    items: list[RssItem] = []
    for item in page.records:
        try:
            items.append(parse_item(item, announced))
        except RecordError as error:
            skipped.append(skipped_record(error, f"{where}, {_label(item)}"))
    if page.error:
        skipped.append(Skipped(MALFORMED_PAGE, f"{where}: {page.error}; "
                               f"{len(page.records)} items read before it"))
    return RssFeed(announced, items, skipped, page.error)


def channel_date(channel: ET.Element, now: dt.datetime) -> dt.date | None:
    """The announcement day: the channel's pubDate in its own (Eastern) offset."""
    for tag in ("pubDate", "lastBuildDate"):
        text = child_text(channel, tag)
        if not text:
            continue
        try:
            moment = email.utils.parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError):
            raise RecordError(f"'{tag}': {text.strip()[:40]!r} is not a date") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        day = moment.astimezone(ARXIV_TIMEZONE).date()
        check_plausible(day, tag, now)
        return day
    return None


def parse_item(item: ET.Element, announced: dt.date | None) -> RssItem:
    arxiv_id, version = _item_id(item)
    description = child_text(item, "description") or ""
    announce_type = (clean_text(child_text(item, f"{ARXIV}announce_type")) or
                     _first_group(_ANNOUNCE_IN_TEXT, description) or "new").lower()
    categories = split_categories([(element.text or "") for element in item.findall("category")])
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=required_title(child_text(item, "title")),
        source=SOURCE_NAME,
        abstract=optional_abstract(_first_group(_ABSTRACT, description)),
        authors=parse_authors(child_text(item, f"{DC}creator")),
        primary_category=categories[0] if categories else None,
        categories=categories,
        journal_ref=clean_text(child_text(item, f"{ARXIV}journal_reference")),
        doi=clean_text(child_text(item, f"{ARXIV}DOI")),
        license=clean_text(child_text(item, f"{DC}rights")),
        versions=(PaperVersion(version, None),) if version else (),
        announced_date=announced if is_first_announcement(announce_type, version) else None,
        announced_is_estimate=False,
    )
    return RssItem(record, announce_type, version)


def _item_id(item: ET.Element) -> tuple[str, int | None]:
    text = clean_text(child_text(item, "guid")) or clean_text(child_text(item, "link"))
    if not text:
        raise RecordError("missing 'guid' (the arXiv id)")
    try:
        parsed = parse_arxiv_id(text)
    except InvalidPaperIdError as error:
        raise RecordError(f"'guid': {error}") from None
    return parsed.base, parsed.version


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _label(item: ET.Element) -> str:
    return clean_text(child_text(item, "guid")) or clean_text(child_text(item, "link")) or "item"
