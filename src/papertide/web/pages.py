"""The HTML pages: daily/weekly/monthly listings, a paper, search, about.

Routes only ask the service and hand the answer to a template. The period
routes are declared before ``/papers/{arxiv_id:path}`` so that old-style ids
with a slash (``hep-th/9901001``) reach the paper page and nothing else does.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from papertide.app import Listing, Papertide
from papertide.exceptions import InvalidInputError
from papertide.periods import EARLIEST_DATE, PeriodKind, parse_date, parse_period
from papertide.search.hybrid import SEARCH_MODES
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.presenters import (
    paginate,
    period_of,
    period_path,
    with_query,
)
from papertide.web.search_params import SearchParamsDep
from papertide.web.templating import Renderer
from papertide.web.trending_pages import DEFAULT_WINDOW, trending_response

PERIOD_KINDS: tuple[PeriodKind, ...] = ("date", "week", "month")
PERIOD_TITLES = {"date": "Daily papers", "week": "Weekly papers", "month": "Monthly papers"}
TAB_LABELS = {"date": "Daily", "week": "Weekly", "month": "Monthly"}
PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]
ListingSort = Literal["date", "trending"]
SortParam = Annotated[ListingSort | None, Query(
    description="trending (most upvoted and starred first; the days' default) or date "
                "(newest first; the weeks' and months' default)")]
# Like Hugging Face's daily list: a day is read by what people upvote; weeks and
# months stay grouped by day, newest first.
DEFAULT_SORTS: dict[PeriodKind, ListingSort] = {"date": "trending", "week": "date",
                                                "month": "date"}
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


@router.get("/papers/jump")
def jump_to_date(
    kind: Annotated[Literal["date", "week", "month"], Query(description="date, week or month")],
    date: Annotated[str, Query(max_length=20, description="A day: YYYY-MM-DD.")],
    sort: SortParam = None,
) -> Response:
    """The date picker's target: the day, week or month that holds ``date``."""
    period = period_of(kind, parse_date(date))
    return RedirectResponse(with_query(period_path(period), [("sort", sort or "")]),
                            status_code=303)


@router.get("/papers/date/{slug}")
def day_page(
    slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
    page: PageNumber = 1, sort: SortParam = None,
) -> Response:
    return _period_page("date", slug, request, service, renderer, page, sort)


@router.get("/papers/week/{slug}")
def week_page(
    slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
    page: PageNumber = 1, sort: SortParam = None,
) -> Response:
    return _period_page("week", slug, request, service, renderer, page, sort)


@router.get("/papers/month/{slug}")
def month_page(
    slug: str, request: Request, service: ServiceDep, renderer: RendererDep,
    page: PageNumber = 1, sort: SortParam = None,
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
    asked: ListingSort | None = None,
) -> Response:
    period = parse_period(kind, slug)
    path = period_path(period)
    sort = asked or DEFAULT_SORTS[kind]
    sort_param = "" if sort == DEFAULT_SORTS[kind] else sort
    if period.slug != slug:  # 2026-W9, 2026-3: one address per period
        return RedirectResponse(with_query(path, [("sort", sort_param),
                                                  ("page", str(page) if page > 1 else "")]),
                                status_code=301)
    ranks: dict[str, int] = {}
    if sort == "trending":
        listing, ranks = service.trending_listing(period, page)
    else:
        listing = service.listing(period, page)
    return _listing_page(request, renderer, listing, page_path=path,
                         feed_url=f"{path}/feed.atom", service=service, sort=sort, ranks=ranks)


def _listing_page(
    request: Request, renderer: Renderer, listing: Listing, page_path: str, feed_url: str,
    service: Papertide, sort: ListingSort, ranks: dict[str, int] | None = None,
) -> Response:
    period = listing.period
    papers = listing.page.papers
    sort_default = DEFAULT_SORTS[period.kind]
    sort_param = "" if sort == sort_default else sort
    anchor = papers[0].announced_date if papers and papers[0].announced_date else period.start
    tabs = [(kind, TAB_LABELS[kind], period_path(period_of(kind, anchor)))
            for kind in PERIOD_KINDS]
    return renderer.page(request, "listing.html", {
        "section": period.kind,
        "title": PERIOD_TITLES[period.kind],
        "listing": listing,
        "period": period,
        "tabs": tabs,
        "pagination": paginate(listing.page, page_path, [("sort", sort_param)]),
        "feed_url": feed_url,
        "feed_title": f"{PERIOD_TITLES[period.kind]}: {period.heading}",
        "is_home": page_path == "/",
        "sort": sort,
        "sort_urls": {name: with_query(page_path, [("sort", "" if default else name)])
                      for name, default in (("trending", sort_default == "trending"),
                                            ("date", sort_default == "date"))},
        "sort_param": sort_param,
        "cards": cards_for(request, service, papers, ranks),
        "latest_day": service.latest_day(),
        "earliest_day": EARLIEST_DATE,
    })
