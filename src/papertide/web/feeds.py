"""Atom feeds of every list: the latest day, a day, a week, a month, a search."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from starlette.responses import Response

from papertide.app import Papertide
from papertide.models import Paper
from papertide.periods import Period, day_period, parse_period
from papertide.web.atom import ATOM_MEDIA_TYPE, FeedInfo, render_feed
from papertide.web.deps import ServiceDep
from papertide.web.presenters import period_path, printable, with_query
from papertide.web.search_params import SearchParamsDep

FEED_SIZE = 100
router = APIRouter(include_in_schema=False)


@router.get("/feed.atom")
def latest_feed(request: Request, service: ServiceDep) -> Response:
    latest = service.latest_day()
    if latest is None:
        return _feed(service, request, "Latest papers", "/", [])
    return _period_feed(service, request, day_period(latest), page_path="/")


@router.get("/papers/date/{slug}/feed.atom")
def day_feed(slug: str, request: Request, service: ServiceDep) -> Response:
    return _period_feed(service, request, parse_period("date", slug))


@router.get("/papers/week/{slug}/feed.atom")
def week_feed(slug: str, request: Request, service: ServiceDep) -> Response:
    return _period_feed(service, request, parse_period("week", slug))


@router.get("/papers/month/{slug}/feed.atom")
def month_feed(slug: str, request: Request, service: ServiceDep) -> Response:
    return _period_feed(service, request, parse_period("month", slug))


@router.get("/search/feed.atom")
def search_feed(request: Request, service: ServiceDep, params: SearchParamsDep) -> Response:
    """Newest matching papers first, unless ``sort=relevance`` is asked for."""
    sort = params.sort or "date"
    results = service.search(params.text or "", 1, FEED_SIZE, sort, params.filters())
    described = printable(params.text or "") or "filtered papers"
    page_path = with_query("/search", params.link_params(sort=sort))
    return _feed(service, request, f"Search: {described}", page_path, results.page.papers)


def _period_feed(
    service: Papertide, request: Request, period: Period, page_path: str | None = None
) -> Response:
    listing = service.listing(period, 1, FEED_SIZE)
    heading = f"{period.heading}, {period.start.year}" if period.kind == "date" else period.heading
    return _feed(service, request, f"Papers of {heading}", page_path or period_path(period),
                 listing.page.papers)


def _feed(
    service: Papertide, request: Request, title: str, page_path: str, papers: Sequence[Paper]
) -> Response:
    settings = service.settings
    site_url = settings.resolved_base_url
    self_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    info = FeedInfo(
        title=f"{title} · {settings.site_name}",
        subtitle=f"Research papers from arXiv, via {settings.site_name}",
        self_url=site_url + self_path,
        page_url=site_url + page_path,
        site_name=settings.site_name,
        site_url=site_url,
        fallback_updated=service.clock(),
    )
    return Response(render_feed(info, papers), media_type=ATOM_MEDIA_TYPE)
