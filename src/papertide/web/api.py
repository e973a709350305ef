"""The JSON API under /api: papers, daily/weekly/monthly lists, search, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from papertide import __version__
from papertide.app import Papertide
from papertide.exceptions import InvalidInputError, NotFoundError
from papertide.paging import MAX_OFFSET, MAX_PAGE_SIZE
from papertide.periods import Period, day_period, parse_period
from papertide.search.base import SortOrder
from papertide.search.query import MAX_LONG_QUERY_CHARS, MAX_QUERY_CHARS
from papertide.web.deps import ServiceDep
from papertide.web.presenters import with_query
from papertide.web.schemas import (
    ErrorPublic,
    FilterHintPublic,
    HealthPublic,
    PaperListPublic,
    PaperPublic,
    PeriodPublic,
    SearchHitPublic,
    SearchRequestPublic,
    SearchResultsPublic,
    SimilarPapersPublic,
    paper_fields,
)
from papertide.web.search_params import SearchParams, SearchParamsDep, search_params

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "A parameter is malformed"},
    500: {"model": ErrorPublic, "description": "Something failed on the server"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "No such paper"},
}
router = APIRouter(prefix="/api", responses=ERRORS)

Limit = Annotated[int | None, Query(
    ge=1, le=MAX_PAGE_SIZE, description=f"Papers per page (at most {MAX_PAGE_SIZE}; "
                                        "default: the site's page size).",
)]


@router.get("/papers/{arxiv_id:path}/similar", response_model=SimilarPapersPublic,
            responses=NOT_FOUND, tags=["papers"], summary="Papers similar to one paper")
def similar_papers(
    arxiv_id: str,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=50, description="How many (at most 50).")] = 10,
) -> SimilarPapersPublic:
    """Papers closest in meaning to this one (by their title and abstract embeddings),
    best first; never the paper itself. `notice` says why the list is empty while papers
    are still being embedded."""
    similar = service.similar(arxiv_id, limit)
    base_url = service.settings.resolved_base_url
    signals = service.signals([paper.arxiv_id for paper in similar.papers])
    papers = [SearchHitPublic(**paper_fields(paper, base_url, signals),
                              score=similar.scores.get(paper.arxiv_id))
              for paper in similar.papers]
    return SimilarPapersPublic(
        arxiv_id=similar.arxiv_id, notice=similar.notice, coverage=similar.coverage,
        total=len(papers), limit=limit, offset=0, has_more=False, papers=papers,
        results=papers,
    )


@router.get("/papers/{arxiv_id:path}", response_model=PaperPublic, responses=NOT_FOUND,
            tags=["papers"], summary="One paper")
def get_paper(arxiv_id: str, service: ServiceDep) -> PaperPublic:
    """Everything stored about a paper. Versioned ids (`2502.01341v2`) and old-style
    ids (`hep-th/9901001`) are accepted."""
    if not arxiv_id.strip("/ "):
        raise NotFoundError("give a paper id, as in /api/papers/2502.01341")
    paper = service.paper(arxiv_id)
    return PaperPublic.of(paper, service.settings.resolved_base_url,
                          service.signals([paper.arxiv_id]))


@router.get("/daily", response_model=PaperListPublic, tags=["papers"],
            summary="Papers of a day, week or month")
def daily(
    service: ServiceDep,
    date: Annotated[str | None, Query(description="A day: YYYY-MM-DD.")] = None,
    week: Annotated[str | None, Query(description="An ISO week: YYYY-Www.")] = None,
    month: Annotated[str | None, Query(description="A month: YYYY-MM.")] = None,
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    limit: Limit = None,
) -> PaperListPublic:
    """Papers announced in the given period, newest day first. Give at most one of
    `date`, `week`, `month`; with none, the latest day with papers is listed."""
    chosen = [(kind, slug) for kind, slug in (("date", date), ("week", week), ("month", month))
              if slug is not None]
    if len(chosen) > 1:
        raise InvalidInputError("give at most one of date, week or month")
    base_url = service.settings.resolved_base_url
    period = _requested_period(service, chosen[0] if chosen else None)
    size = limit or service.settings.page_size
    if period is None:
        return PaperListPublic(period=None, previous=None, next=None, page=page, limit=size,
                               offset=0, total=0, has_more=False, papers=[])
    listing = service.listing(period, page, size)
    signals = service.signals([paper.arxiv_id for paper in listing.page.papers])
    return PaperListPublic(
        period=PeriodPublic.of(period, base_url),
        previous=PeriodPublic.of(listing.previous, base_url) if listing.previous else None,
        next=PeriodPublic.of(listing.next, base_url) if listing.next else None,
        page=page,
        limit=listing.page.limit,
        offset=listing.page.offset,
        total=listing.page.total,
        has_more=listing.page.has_more,
        papers=[PaperPublic.of(paper, base_url, signals) for paper in listing.page.papers],
    )


def _requested_period(service: Papertide, chosen: tuple[str, str] | None) -> Period | None:
    if chosen is not None:
        return parse_period(*chosen)
    latest = service.latest_day()
    return day_period(latest) if latest else None


@router.get("/search", response_model=SearchResultsPublic, tags=["papers"],
            summary="Search (hybrid, keyword or semantic)")
def search(
    service: ServiceDep,
    params: SearchParamsDep,
    limit: Limit = None,
    offset: Annotated[int, Query(
        ge=0, le=MAX_OFFSET, description=f"Results to skip (at most {MAX_OFFSET:,}).",
    )] = 0,
) -> SearchResultsPublic:
    """Search titles, abstracts and authors (BM25, titles weigh more). The query syntax
    (phrases, `author:`, `cat:`, `from:`, `to:`, `-word`, `prefix*`) is described on
    the /about page; anything unusable in it is reported in `notices`."""
    return _search_results(service, params, limit, offset, MAX_QUERY_CHARS)


@router.post("/search", response_model=SearchResultsPublic, tags=["papers"],
             summary="Search with a long text (a pasted abstract)")
def search_long_text(service: ServiceDep, request: SearchRequestPublic) -> SearchResultsPublic:
    """The same search as `GET /api/search`, for text longer than a URL should carry:
    up to 20,000 characters (a whole abstract or a draft's paragraphs) in a JSON body.
    A long text is searched by its most telling words and by its meaning."""
    params = search_params(q=request.q, sort=request.sort, mode=request.mode,
                           date_from=request.date_from, date_to=request.date_to,
                           cat=request.cat, author=request.author)
    return _search_results(service, params, request.limit, request.offset, MAX_LONG_QUERY_CHARS)


def _search_results(
    service: Papertide, params: SearchParams, limit: int | None, offset: int, max_chars: int
) -> SearchResultsPublic:
    size = limit or service.settings.page_size
    sort: SortOrder = params.sort or "relevance"
    results = service.search(params.text or "", page_size=size, sort=sort,
                             filters=params.filters(), mode=params.mode, offset=offset,
                             max_chars=max_chars)
    base_url = service.settings.resolved_base_url
    ranked = sort == "relevance" and results.query.has_text
    signals = service.signals([paper.arxiv_id for paper in results.page.papers])
    hits = [SearchHitPublic(**paper_fields(paper, base_url, signals),
                            score=results.scores.get(paper.arxiv_id) if ranked else None)
            for paper in results.page.papers]
    return SearchResultsPublic(
        query=results.text,
        mode=results.mode,
        fallback=results.fallback,
        sort=sort,
        total=results.page.total,
        total_exact=results.page.total_exact,
        total_capped=results.total_capped,
        limit=size,
        offset=offset,
        has_more=results.page.has_more,
        notices=list(results.notices),
        suggestion=results.suggestion,
        filter_hints=[
            FilterHintPublic(filter=hint.kind, label=hint.label,
                             matching_without=hint.matching_without,
                             search_without=base_url.rstrip("/") + with_query(
                                 "/api/search", params.without_filter(hint.kind).link_params()))
            for hint in results.filter_hints
        ],
        papers=hits,
        results=hits,
    )


@router.get("/health", response_model=HealthPublic, tags=["service"], summary="Health check")
def health(service: ServiceDep) -> HealthPublic:
    """Answers when the database can be read: paper count, schema version, and whether
    the search index is still catching up (the server answers before it has)."""
    lag = service.search_index_lag()
    return HealthPublic(
        search_index="catching up" if lag.catching_up else "ready",
        search_index_behind=lag.behind,
        status="ok",
        papers=service.store.count_papers(),
        latest_day=service.latest_day(),
        schema_version=service.store.schema_version,
        version=__version__,
    )
