"""Jinja2 set-up and the one way routes turn a template into a response."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from papertide import __version__
from papertide.models import Paper
from papertide.settings import Settings
from papertide.templates import template_environment
from papertide.topics.sparkline import sparkline
from papertide.web import presenters
from papertide.web.static_files import asset_versions

TEMPLATE_DIR = Path(__file__).parent / "templates"
MAX_CARD_BODIES = 4_096
# Pages use only local files; inline scripts and styles are not needed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def viewer_context(request: Request) -> dict[str, Any]:
    """The header's needs: who is signed in, and the sign-out form's CSRF token."""
    viewer = getattr(request.state, "viewer", None)
    token = ""
    if viewer is not None:
        service = request.app.state.service
        token = service.community.accounts.csrf_token("session:" + viewer.session_hash)
    return {"viewer": viewer, "signout_token": token}


class CardBodies:
    """The part of a paper card that shows the paper alone (title, authors, categories,
    abstract, links), rendered once per version of a paper and kept.

    Rendering it is most of a listing's cost (30 cards a page) and it is the same
    for every visitor; votes, save buttons and CSRF tokens stay outside it. Keyed
    by the paper's change number, so an updated paper is rendered afresh.
    """

    def __init__(self, environment: Environment, max_entries: int = MAX_CARD_BODIES) -> None:
        self.environment = environment
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[object, ...], Markup] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, paper: Paper, heading_level: int) -> Markup:
        if not paper.change_seq:  # not read from the store: no version to key on
            return self._render(paper, heading_level)
        key = (paper.arxiv_id, paper.change_seq, paper.last_changed_at, heading_level)
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
                return kept
        body = self._render(paper, heading_level)
        with self._lock:
            self._entries[key] = body
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body

    def _render(self, paper: Paper, heading_level: int) -> Markup:
        macros = self.environment.get_template("macros.html").module
        return Markup(macros.card_body(paper, heading_level))  # type: ignore[attr-defined]


class Renderer:
    """Renders the HTML pages with the site's settings and helpers in reach."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.environment = template_environment(TEMPLATE_DIR)
        versions = asset_versions()
        self.environment.globals.update(
            site_name=settings.site_name,
            version=__version__,
            static_url=lambda name: f"/static/{name}?v={versions.get(name, __version__)}",
            paper_path=presenters.paper_path,
            period_path=presenters.period_path,
            period_of=presenters.period_of,
            with_query=presenters.with_query,
            shorten_authors=presenters.shorten_authors,
            group_by_day=presenters.group_by_day,
            sparkline=sparkline,
        )
        self.environment.globals["paper_card_body"] = CardBodies(self.environment)
        self.environment.filters.update(
            preview=presenters.preview,
            printable=presenters.printable,
            short_date=presenters.short_date,
            long_date=presenters.long_date,
            day_heading=presenters.day_heading,
            timestamp=presenters.timestamp,
            licence_name=presenters.licence_name,
            period_title=presenters.period_title,
            period_subtitle=presenters.period_subtitle,
            period_short=presenters.period_short,
        )

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        values: dict[str, Any] = {
            "request": request,
            "search_text": "",
            "feed_url": None,
            "feed_title": None,
            "section": None,
            "cards": None,
        }
        values.update(viewer_context(request))
        values.update(context or {})
        html = self.environment.get_template(template).render(values)
        return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
