"""The HTML pages: daily/weekly/monthly listings, a paper, search, about.

Routes only ask the service and hand the answer to a template. The period
routes are declared before ``/papers/{arxiv_id:path}`` so that old-style ids
with a slash (``hep-th/9901001``) reach the paper page and nothing else does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from papertide.app import Listing, Papertide
from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidInputError
from papertide.periods import PeriodKind, day_period, parse_period
from papertide.search.hybrid import SEARCH_MODES
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.presenters import (
    paginate,
    paper_path,
    period_of,
    period_path,
    with_query,
)
from papertide.web.search_params import SearchParamsDep
from papertide.web.templating import Renderer
from papertide.web.trending_pages import DEFAULT_WINDOW, trending_response

PERIOD_KINDS: tuple[PeriodKind, ...] = ("date", "week", "month")
SIMILAR_ON_PAGE = 6
PERIOD_TITLES = {"date": "Daily papers", "week": "Weekly papers", "month": "Monthly papers"}
TAB_LABELS = {"date": "Daily", "week": "Weekly", "month": "Monthly"}
PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]
SortParam = Annotated[Literal["date", "trending"], Query(description="date or trending")]
router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, page: PageNumber = 1) -> Response:
    """Trending now (this week); the daily pages are one click away."""
    return await trending_response(request, "/", DEFAULT_WINDOW, page)


@router.get("/papers")
def papers_root() -> Response:
    return RedirectResponse("/", status_code=307)


@router.get("/papers/date")
def latest_day_page(service: ServiceDep) -> Response:
    return _latest_period_redirect("date", service)


@router.get("/papers/week")
def latest_week_page(service: ServiceDep) -> Response:
    return _latest_period_redirect("week", service)


@router.get("/papers/month")
def latest_month_page(service: ServiceDep) -> Response:
    return _latest_period_redirect("month", service)


@router.get("/papers/date/{slug}")
def day_page(
    slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
    page: PageNumber = 1, sort: SortParam = "date",
) -> Response:
    return _period_page("date", slug, request, service, renderer, page, sort)


@router.get("/papers/week/{slug}")
def week_page(
    slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
    page: PageNumber = 1, sort: SortParam = "date",
) -> Response:
    return _period_page("week", slug, request, service, renderer, page, sort)


@router.get("/papers/month/{slug}")
def month_page(
    slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
    page: PageNumber = 1, sort: SortParam = "date",
) -> Response:
    return _period_page("month", slug, request, service, renderer, page, sort)


@router.get("/search")
def search_page(
    request: Request, service: ServiceDep, renderer: RendererDep, params: SearchParamsDep,
    page: PageNumber = 1,
) -> Response:
    context = {
        "section": "search",
        "params": params,
        "search_text": params.text or "",
        "results": None,
        "error": None,
        "sort": params.sort or "relevance",
        "sort_urls": {sort: with_query("/search", params.link_params(sort=sort))
                      for sort in ("relevance", "date")},
        "mode": params.mode or "hybrid",
        "mode_urls": {mode: with_query("/search", params.link_params(mode=mode))
                      for mode in SEARCH_MODES},
        "embedding": service.embedding_status(),
    }
    if params.is_blank:
        return renderer.page(request, "search.html", context)
    try:
        results = service.search(params.text or "", page, None, params.sort or "relevance",
                                 params.filters(), mode=params.mode)
    except InvalidInputError as error:
        return renderer.page(request, "search.html", {**context, "error": str(error)},
                             status_code=400)
    feed_params = params.link_params(sort="date")
    return renderer.page(request, "search.html", {
        **context,
        "cards": cards_for(request, service, results.page.papers),
        "results": results,
        "pagination": paginate(results.page, "/search", params.link_params()),
        "suggestion_url": with_query("/search", params.with_text(results.suggestion).link_params())
        if results.suggestion else None,
        "filter_hint_urls": [with_query("/search", params.without_filter(hint.kind).link_params())
                             for hint in results.filter_hints],
        "feed_url": with_query("/search/feed.atom", feed_params),
        "feed_title": "Newest papers matching this search",
    })


@router.get("/about")
def about_page(request: Request, service: ServiceDep, renderer: RendererDep) -> Response:
    settings = service.settings
    return renderer.page(request, "about.html", {
        "section": "about",
        "half_lives": {"day": f"{settings.trending_half_life_day:g}",
                       "week": f"{settings.trending_half_life_week:g}",
                       "month": f"{settings.trending_half_life_month:g}"},
        "refresh_seconds": settings.trending_refresh_seconds,
        "base_url": service.settings.resolved_base_url,
        "latest": service.latest_day(),
    })


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/papers/{arxiv_id:path}")
def paper_page(
    arxiv_id: str, request: Request, service: ServiceDep, renderer: RendererDep
) -> Response:
    """A paper's page; ``2502.01341v2`` or ``arXiv:2502.01341`` redirect to the canonical one."""
    if not arxiv_id.strip("/"):
        return RedirectResponse("/", status_code=307)
    canonical = parse_arxiv_id(arxiv_id.strip("/")).base
    if canonical != arxiv_id:
        return RedirectResponse(paper_path(canonical), status_code=301)
    paper = service.paper(canonical)
    observations = service.observations(canonical)
    announced = paper.announced_date
    return renderer.page(request, "paper.html", {
        "paper": paper,
        "cards": cards_for(request, service, [paper]),
        "observations": observations,
        "similar": service.similar(canonical, SIMILAR_ON_PAGE),
        "periods": [period_of(kind, announced) for kind in PERIOD_KINDS] if announced else [],
        "feed_url": (period_path(day_period(announced)) + "/feed.atom") if announced else None,
        "feed_title": "Papers of the same day",
    })


def _latest_period_redirect(kind: PeriodKind, service: Papertide) -> Response:
    """``/papers/week``: the week of the latest day with papers (same for date, month)."""
    latest = service.latest_day()
    if latest is None:
        return RedirectResponse("/", status_code=307)
    return RedirectResponse(period_path(period_of(kind, latest)), status_code=307)


def _period_page(
    kind: PeriodKind,
    slug: str,
    request: Request,
    service: Papertide,
    renderer: Renderer,
    page: int,
    sort: str = "date",
) -> Response:
    period = parse_period(kind, slug)
    path = period_path(period)
    sort_param = "" if sort == "date" else sort
    if period.slug != slug:  # 2026-W9, 2026-3: one address per period
        return RedirectResponse(with_query(path, [("sort", sort_param),
                                                  ("page", str(page) if page > 1 else "")]),
                                status_code=301)
    listing = service.listing(period, page)
    ranks: dict[str, int] = {}
    if sort == "trending":
        limit, offset = service.community.paging(page, None)
        trending = service.community.trending.period_page(period, limit, offset)
        listing = replace(listing, page=trending.page)
        ranks = trending.ranks
    return _listing_page(request, renderer, listing, page_path=path,
                         feed_url=f"{path}/feed.atom", service=service, sort=sort, ranks=ranks)


def _listing_page(
    request: Request, renderer: Renderer, listing: Listing, page_path: str, feed_url: str,
    service: Papertide, sort: str = "date", ranks: dict[str, int] | None = None,
) -> Response:
    period = listing.period
    papers = listing.page.papers
    anchor = papers[0].announced_date if papers and papers[0].announced_date else period.start
    tabs = [(kind, TAB_LABELS[kind], period_path(period_of(kind, anchor)))
            for kind in PERIOD_KINDS]
    return renderer.page(request, "listing.html", {
        "section": period.kind,
        "title": PERIOD_TITLES[period.kind],
        "listing": listing,
        "period": period,
        "tabs": tabs,
        "pagination": paginate(listing.page, page_path,
                               [("sort", "" if sort == "date" else sort)]),
        "feed_url": feed_url,
        "feed_title": f"{PERIOD_TITLES[period.kind]}: {period.heading}",
        "is_home": page_path == "/",
        "sort": sort,
        "sort_urls": {"trending": with_query(page_path, [("sort", "trending")]),
                      "date": page_path},
        "cards": cards_for(request, service, papers, ranks),
    })
