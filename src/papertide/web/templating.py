"""Jinja2 set-up and the one way routes turn a template into a response."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from papertide import __version__
from papertide.discussions.markdown import comment_html
from papertide.follows.describe import abstract_diff, event_lines, event_title
from papertide.readable_math import readable_math
from papertide.settings import Settings
from papertide.templates import template_environment
from papertide.topics.sparkline import sparkline
from papertide.web import presenters
from papertide.web.card_parts import CardParts
from papertide.web.static_files import asset_versions

TEMPLATE_DIR = Path(__file__).parent / "templates"
COMMENT_HTML_CACHE = 8_192  # comments whose shown HTML a renderer keeps
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
            author_path=presenters.author_path,
            period_path=presenters.period_path,
            period_of=presenters.period_of,
            with_query=presenters.with_query,
            shorten_authors=presenters.shorten_authors,
            group_by_day=presenters.group_by_day,
            sparkline=sparkline,
            event_title=event_title,
            event_lines=event_lines,
            abstract_diff=abstract_diff,
        )
        self.environment.globals["card_parts"] = CardParts(self.environment)
        self.environment.filters.update(
            math=readable_math,
            preview=presenters.preview,
            compact_count=presenters.compact_count,
            printable=presenters.printable,
            short_date=presenters.short_date,
            long_date=presenters.long_date,
            day_heading=presenters.day_heading,
            timestamp=presenters.timestamp,
            licence_name=presenters.licence_name,
            period_title=presenters.period_title,
            period_subtitle=presenters.period_subtitle,
            period_short=presenters.period_short,
            # Sanitised again as shown; the same stored HTML comes back on every view.
            comment_html=lru_cache(maxsize=COMMENT_HTML_CACHE)(comment_html),
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
