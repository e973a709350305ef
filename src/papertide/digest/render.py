"""Turning a digest (or a subscription notice) into a message people can read.

Every message is multipart/alternative: a plain-text part and an HTML part
whose styles are inlined (mail clients drop ``<link>`` and most ``<style>``),
in one 600-pixel column that narrows on a phone. A small ``<style>`` block
only adjusts things for clients that honour it: dark mode and narrow screens.
Nothing is fetched when the mail is opened: no images, no tracking pixel.

Headers are written by ``digest.mime``: non-ASCII names and titles are
RFC 2047-encoded, and a newline in a name or a search term can never start a
header of its own (values are single-lined here, and ``mime`` refuses any
that still holds one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from papertide.digest import mime
from papertide.digest.models import Digest
from papertide.readable_math import readable_math
from papertide.templates import template_environment

TEMPLATE_DIR = Path(__file__).parent / "templates"
SUBJECT_TITLE_CHARS = 70
PREVIEW_CHARS = 240
AUTHORS_SHOWN = 3
_LINE_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN_ID = re.compile(r"[A-Za-z0-9./-]+")


@dataclass(frozen=True, slots=True)
class Links:
    """The signed links every digest carries (absolute URLs)."""

    manage: str
    unsubscribe: str
    unsubscribe_mailto: str


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def one_line(text: str) -> str:
    """Header-safe: line breaks become spaces, other control characters go."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text)).strip()


def shorten(text: str, limit: int) -> str:
    text = " ".join(text[:limit * 2].split()) if len(text) > limit * 2 else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def author_line(authors: tuple[str, ...]) -> str:
    if len(authors) <= AUTHORS_SHOWN + 1:
        return ", ".join(authors)
    return ", ".join(authors[:AUTHORS_SHOWN]) + " et al."


def paper_url(site_url: str, arxiv_id: str) -> str:
    safe = arxiv_id if _PLAIN_ID.fullmatch(arxiv_id) else quote(arxiv_id, safe="/.-")
    return f"{site_url}/papers/{safe}"


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A message ready for the outbox."""

    message_id: str
    subject: str
    data: bytes


class MailRenderer:
    """Renders digests and notices with one site's name, address and sender."""

    def __init__(self, site_name: str, site_url: str, sender: str) -> None:
        self.site_name = one_line(site_name)
        self.site_url = site_url.rstrip("/")
        self.sender = sender
        sender_name, self.envelope_sender = parseaddr(sender)
        self.from_header = mime.address(one_line(sender_name), self.envelope_sender)
        self.domain = self.envelope_sender.rpartition("@")[2] or "localhost"
        self.environment = template_environment(TEMPLATE_DIR, keep_trailing_newline=True)
        self.environment.globals.update(site_name=self.site_name, site_url=self.site_url,
                                        paper_url=lambda arxiv_id: paper_url(self.site_url,
                                                                             arxiv_id))
        self.environment.filters.update(shorten=shorten, authors=author_line, math=readable_math)
        self._digest_html = self.environment.get_template("digest.html")
        self._digest_text = self.environment.get_template("digest.txt")

    # -- digests ------------------------------------------------------------------------

    def render_digest(self, digest: Digest, links: Links) -> Rendered:
        count = len(digest.arxiv_ids)
        summary = summary_line(digest)
        greeting = f"Hello {digest.name}, {summary[0].lower()}{summary[1:]}" if digest.name \
            else summary
        values = {"digest": digest, "links": links, "count": count, "greeting": greeting,
                  "preheader": preheader(digest)}
        return Rendered(digest_subject(self.site_name, digest),
                        self._digest_text.render(values), self._digest_html.render(values))

    def digest_message(self, digest: Digest, links: Links) -> OutgoingMail:
        rendered = self.render_digest(digest, links)
        return self._message(digest.email, digest.name, rendered, digest.composed_at,
                             f"{digest.period.kind}.{digest.period.key}.{digest.subscriber_id}",
                             self.list_headers(links, f"{digest.period.kind} digest"))

    def list_headers(self, links: Links, what: str) -> list[tuple[str, str]]:
        """RFC 2369 / RFC 8058: one-click unsubscribe from the client's own button.

        Left unfolded: a URL split across lines is one some clients cannot read.
        """
        return [
            ("List-Id", f"{mime.text_value('List-Id', self.site_name)} {what} "
                        f"<digest.{self.domain}>"),
            ("List-Unsubscribe", f"<{links.unsubscribe}>, <{links.unsubscribe_mailto}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Precedence", "bulk"),
        ]

    # -- notices (confirm, manage link) -------------------------------------------------

    def notice_message(self, template: str, to: str, name: str, subject: str,
                       context: Mapping[str, Any], now: dt.datetime,
                       extra_headers: Sequence[tuple[str, str]] = ()) -> OutgoingMail:
        values = dict(context)
        rendered = Rendered(
            one_line(subject),
            self.environment.get_template(f"{template}.txt").render(values),
            self.environment.get_template(f"{template}.html").render(values),
        )
        return self._message(to, name, rendered, now, template, extra_headers)

    # -- the envelope -------------------------------------------------------------------

    def _message(self, to: str, name: str, rendered: Rendered, now: dt.datetime,
                 idstring: str, extra_headers: Sequence[tuple[str, str]] = ()
                 ) -> OutgoingMail:
        message_id = make_msgid(idstring=one_line(idstring).replace(" ", "-"),
                                domain=self.domain)
        subject = one_line(rendered.subject)
        headers = [
            ("From", self.from_header),
            ("To", mime.address(one_line(name), to)),
            ("Subject", mime.text_value("Subject", subject)),
            ("Date", format_datetime(now.astimezone(dt.UTC))),
            ("Message-ID", message_id),
            ("Auto-Submitted", "auto-generated"),
            ("X-Auto-Response-Suppress", "OOF, AutoReply"),
            *extra_headers,
        ]
        return OutgoingMail(message_id, subject, mime.build(headers, rendered.text,
                                                             rendered.html))


def digest_subject(site_name: str, digest: Digest) -> str:
    """``papertide daily: Title of the first paper (+11 more)``; names the empty case."""
    kind = digest.period.kind
    papers = [entry.paper for section in digest.sections for entry in section.entries]
    if not papers:
        return f"{site_name} {kind}: nothing new {_window_words(digest)}"
    first = shorten(one_line(papers[0].title), SUBJECT_TITLE_CHARS)
    more = f" (+{len(papers) - 1} more)" if len(papers) > 1 else ""
    return f"{site_name} {kind}: {first}{more}"


def summary_line(digest: Digest) -> str:
    """``12 papers for you: 5 trending, 4 matching your searches, 3 new in your categories.``"""
    counts = {"updates": 0, "follows": 0, "picks": 0, "trending": 0, "discussed": 0,
              "search": 0, "category": 0}
    for section in digest.sections:
        counts[section.kind] += len(section.entries)
    total = sum(counts.values())
    if total == 0:
        return f"Nothing new for you {_window_words(digest)}."
    parts = [f"{counts['updates']} updated in your library" if counts["updates"] else "",
             f"{counts['follows']} by people you follow" if counts["follows"] else "",
             f"{counts['picks']} picked for you" if counts["picks"] else "",
             f"{counts['trending']} trending" if counts["trending"] else "",
             f"{counts['discussed']} discussed" if counts["discussed"] else "",
             f"{counts['search']} matching your searches" if counts["search"] else "",
             f"{counts['category']} new in your categories" if counts["category"] else ""]
    return (f"{total} {'paper' if total == 1 else 'papers'} for you: "
            f"{', '.join(part for part in parts if part)}.")


def preheader(digest: Digest) -> str:
    """The line inbox lists show under the subject."""
    titles = [shorten(entry.paper.title, 60) for section in digest.sections
              for entry in section.entries][1:4]
    return " · ".join(titles) if titles else summary_line(digest)


def _window_words(digest: Digest) -> str:
    return "today" if digest.period.kind == "daily" else "this week"
