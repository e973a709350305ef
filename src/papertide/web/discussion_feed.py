"""The Atom feed of one paper's discussion: its comments, newest first.

Entries carry the sanitised HTML of each comment (the same the page shows),
ids are ``tag:`` URIs of the comment number, and the author is the reader
number shown on the page, never an address.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from starlette.responses import Response

from papertide import __version__
from papertide.app import Papertide
from papertide.discussions.thread import Discussion
from papertide.models import Paper
from papertide.web.atom import ATOM_MEDIA_TYPE, ATOM_NAMESPACE, _link, _rfc3339, _text
from papertide.web.presenters import paper_path

FEED_SIZE = 100


def comment_feed(service: Papertide, paper: Paper, discussion: Discussion) -> Response:
    site_url = service.settings.resolved_base_url
    page_url = site_url + paper_path(paper.arxiv_id)
    self_url = page_url + "/comments.atom"
    shown = [item for item in discussion.comments if item.placeholder is None]
    shown.sort(key=lambda item: item.comment.id, reverse=True)
    shown = shown[:FEED_SIZE]
    feed = ET.Element("feed", {"xmlns": ATOM_NAMESPACE})
    _text(feed, "id", self_url)
    _text(feed, "title", f"Discussion of “{paper.title}”")
    _text(feed, "subtitle", f"Comments on arXiv:{paper.arxiv_id} at {service.settings.site_name}")
    updated = max((item.comment.edited_at or item.comment.created_at for item in shown),
                  default=paper.first_stored_at)
    _text(feed, "updated", _rfc3339(updated))
    _link(feed, "self", self_url, "application/atom+xml")
    _link(feed, "alternate", page_url + "#discussion", "text/html")
    author = ET.SubElement(feed, "author")
    _text(author, "name", service.settings.site_name)
    _text(feed, "generator", "papertide", version=__version__)
    host = urlsplit(site_url).hostname or "localhost"
    for item in shown:
        comment = item.comment
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", f"tag:{host},2026:comment-{comment.id}")
        kind = "Reply" if comment.parent_id else "Comment"
        _text(entry, "title", f"{kind} by {item.author}")
        _text(entry, "published", _rfc3339(comment.created_at))
        _text(entry, "updated", _rfc3339(comment.edited_at or comment.created_at))
        _link(entry, "alternate", f"{page_url}#comment-{comment.id}", "text/html")
        entry_author = ET.SubElement(entry, "author")
        _text(entry_author, "name", item.author)
        _text(entry, "content", comment.body_html, type="html")
    ET.indent(feed)
    return Response(ET.tostring(feed, encoding="utf-8", xml_declaration=True),
                    media_type=ATOM_MEDIA_TYPE)
