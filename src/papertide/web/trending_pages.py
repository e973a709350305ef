"""Trending now: ``/`` and ``/trending?window=day|week|month``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from papertide.app import Papertide
from papertide.ranking.service import parse_window
from papertide.ranking.trending import WINDOW_NAMES, WindowName
from papertide.web.cards import cards_for
from papertide.web.page_cache import PageCache, cache_key
from papertide.web.presenters import paginate, with_query
from papertide.web.session import current_viewer
from papertide.web.templating import Renderer

PAGE_CACHE_SECONDS = 10.0
WINDOW_LABELS = {"day": "Today", "week": "This week", "month": "This month"}
WINDOW_TITLES = {"day": "Trending today", "week": "Trending this week",
                 "month": "Trending this month"}
DEFAULT_WINDOW: WindowName = "week"
CACHED_PATHS = frozenset({"/", "/trending"})
router = APIRouter(include_in_schema=False)
PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]
WindowParam = Annotated[str | None, Query(max_length=10)]


@router.get("/trending")
async def trending_page(request: Request, page: PageNumber = 1,
                        window: WindowParam = None) -> Response:
    return await trending_response(request, "/trending", parse_window(window, DEFAULT_WINDOW),
                                   page)


async def trending_response(request: Request, path: str, window: WindowName,
                            page: int) -> Response:
    """The trending page; anonymous copies are kept for :class:`CachedPagesMiddleware`."""
    service: Papertide = request.app.state.service
    cache: PageCache = request.app.state.page_cache
    return await run_in_threadpool(_render_and_keep, request, service, cache, path, window, page)


def _render_and_keep(request: Request, service: Papertide, cache: PageCache, path: str,
                     window: WindowName, page: int) -> HTMLResponse:
    """Render in the thread pool, and keep an anonymous copy (compressing it there too)."""
    response = _render(request, service, path, window, page)
    if current_viewer(request) is None and response.status_code == 200:
        cache.put(cache_key(request.url.path, request.url.query), bytes(response.body))
    return response


def _render(request: Request, service: Papertide, path: str, window: WindowName,
            page: int) -> HTMLResponse:
    renderer: Renderer = request.app.state.renderer
    latest = service.latest_day()
    if latest is None:
        return renderer.page(request, "empty.html", {"section": "trending"})
    community = service.community
    limit, offset = community.paging(page, None)
    trending = community.trending.window_page(window, limit, offset)
    window_param = "" if window == DEFAULT_WINDOW else window
    return renderer.page(request, "trending.html", {
        "section": "trending",
        "trending": trending,
        "window": window,
        "windows": WINDOW_NAMES,
        "window_labels": WINDOW_LABELS,
        "window_titles": WINDOW_TITLES,
        "window_urls": {name: with_query("/trending", [("window", name)]) for name in WINDOW_NAMES},
        "latest": latest,
        "is_home": path == "/",
        "cards": cards_for(request, service, trending.page.papers, trending.ranks),
        "pagination": paginate(trending.page, path, [("window", window_param)]),
        "feed_url": "/feed.atom",
        "feed_title": "Latest papers",
    })
