"""Reading untrusted XML pages: no DTDs, and every complete record even from a broken page.

Responses come from the network, so they may be truncated, carry wrong bytes, or
not be XML at all. :func:`read_xml` never raises on such input: it returns the
records that were complete before the damage and the parser's message, so a
run can keep what is sound and count the rest as skipped. Documents that declare
a DTD are refused outright: arXiv never sends one, and entity expansion is the
classic way to make a parser eat all memory.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_PROLOG_END = re.compile(rb"<[A-Za-z_]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
FEED_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class XmlPage:
    """What could be read: the root (maybe partial), the complete records, and any damage."""

    root: ET.Element | None
    records: list[ET.Element]
    error: str | None

    @property
    def is_whole(self) -> bool:
        return self.error is None


def read_xml(body: bytes, record_tag: str) -> XmlPage:
    """Parse ``body``; ``record_tag`` (``{namespace}name``) marks the elements to collect."""
    prolog = _PROLOG_END.search(body)
    if _DTD.search(body, 0, prolog.start() if prolog else len(body)):
        return XmlPage(None, [], "refused: the document declares a DTD (entity expansion risk)")
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    found = _Found(record_tag)
    try:
        for offset in range(0, len(body), FEED_CHUNK):
            parser.feed(body[offset:offset + FEED_CHUNK])
            found.collect(parser)
        parser.close()
        found.collect(parser)
    except ET.ParseError as error:
        return XmlPage(found.root, found.records, f"malformed XML ({error})")
    if found.root is None:
        return XmlPage(None, found.records, "empty document")
    return XmlPage(found.root, found.records, None)


class _Found:
    """The root and the complete records, kept as events arrive (even up to an error)."""

    def __init__(self, record_tag: str) -> None:
        self.record_tag = record_tag
        self.root: ET.Element | None = None
        self.records: list[ET.Element] = []

    def collect(self, parser: ET.XMLPullParser[ET.Element]) -> None:
        for event in parser.read_events():
            element = event[-1]
            if not isinstance(element, ET.Element):
                continue
            if event[0] == "start":
                if self.root is None:
                    self.root = element
            elif element.tag == self.record_tag:
                self.records.append(element)


def child_text(element: ET.Element, tag: str) -> str | None:
    """Text of the first ``tag`` child, or None (an empty element counts as absent)."""
    child = element.find(tag)
    if child is None:
        return None
    text = "".join(child.itertext())
    return text if text.strip() else None
