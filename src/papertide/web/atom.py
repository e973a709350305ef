"""Atom 1.0 documents (RFC 4287) for paper lists, built with xml.etree.

Entry ids are the arXiv abstract URLs, so a paper keeps its id in every feed
and across re-imports; links are absolute, from the configured base URL.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from papertide import __version__
from papertide.models import Paper
from papertide.readable_math import readable_math
from papertide.web.presenters import paper_path, printable

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ARXIV_CATEGORY_SCHEME = "http://arxiv.org/schemas/atom"


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What describes the feed itself; URLs are absolute."""

    title: str
    subtitle: str
    self_url: str
    page_url: str
    site_name: str
    site_url: str
    fallback_updated: dt.datetime


@dataclass(frozen=True, slots=True)
class UpdateEntry:
    """An entry about something that happened to a paper (its own id, not the paper's)."""

    entry_id: str
    title: str
    updated: dt.datetime
    paper: Paper
    summary: str


def entry_updated(paper: Paper) -> dt.datetime:
    """When the paper last changed on arXiv, as precisely as the sources say."""
    if paper.updated_at:
        return paper.updated_at
    if paper.submitted_at:
        return paper.submitted_at
    if paper.announced_date:
        return dt.datetime.combine(paper.announced_date, dt.time(), dt.UTC)
    return paper.first_stored_at


def render_feed(info: FeedInfo, papers: Sequence[Paper],
                updates: Sequence[UpdateEntry] = ()) -> bytes:
    """The feed as UTF-8 XML bytes (``updates`` after the papers)."""
    feed = ET.Element("feed", {"xmlns": ATOM_NAMESPACE})
    _text(feed, "id", info.self_url)
    _text(feed, "title", info.title)
    _text(feed, "subtitle", info.subtitle)
    updated = max([*(entry_updated(paper) for paper in papers),
                   *(update.updated for update in updates)], default=info.fallback_updated)
    _text(feed, "updated", _rfc3339(updated))
    _link(feed, "self", info.self_url, "application/atom+xml")
    _link(feed, "alternate", info.page_url, "text/html")
    author = ET.SubElement(feed, "author")
    _text(author, "name", info.site_name)
    _text(author, "uri", info.site_url)
    _text(feed, "generator", "papertide", version=__version__)
    _text(feed, "icon", f"{info.site_url}/static/favicon.svg")
    for paper in papers:
        feed.append(_entry(paper, info.site_url))
    for update in updates:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", update.entry_id)
        _text(entry, "title", update.title)
        _text(entry, "updated", _rfc3339(update.updated))
        _link(entry, "alternate", info.site_url + paper_path(update.paper.arxiv_id), "text/html")
        _text(entry, "summary", update.summary, type="text")
    ET.indent(feed)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _entry(paper: Paper, site_url: str) -> ET.Element:
    entry = ET.Element("entry")
    _text(entry, "id", paper.abs_url)
    _text(entry, "title", readable_math(paper.title))
    _text(entry, "updated", _rfc3339(entry_updated(paper)))
    if paper.submitted_at:
        _text(entry, "published", _rfc3339(paper.submitted_at))
    _link(entry, "alternate", site_url + paper_path(paper.arxiv_id), "text/html")
    _link(entry, "related", paper.abs_url, "text/html", title="arXiv abstract page")
    _link(entry, "related", paper.pdf_url, "application/pdf", title="PDF")
    for name in paper.authors:
        author = ET.SubElement(entry, "author")
        _text(author, "name", name)
    for category in paper.categories:
        ET.SubElement(entry, "category", {"term": category, "scheme": ARXIV_CATEGORY_SCHEME})
    if paper.abstract:
        _text(entry, "summary", readable_math(paper.abstract), type="text")
    return entry


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = printable(text)
    return element


def _link(parent: ET.Element, rel: str, href: str, media_type: str, title: str = "") -> None:
    attributes = {"rel": rel, "href": href, "type": media_type}
    if title:
        attributes["title"] = title
    ET.SubElement(parent, "link", attributes)


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
