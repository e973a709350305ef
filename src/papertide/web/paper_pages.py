"""A paper's page, its citation downloads, and the page of a paper not stored yet.

A well-formed arXiv id that is not here answers 404 with links to arXiv and, for
a signed-in reader, a button that queues a polite fetch from the arXiv API; the
page then shows how that fetch is going (looking again every few seconds while it
waits, when scripts run).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from papertide.app import Papertide
from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import NotFoundError
from papertide.ingest.fetch import FETCH_EVERY_SECONDS, FETCH_KIND, latest_fetch, request_fetch
from papertide.jobs.models import JobRecord
from papertide.library.citations import (
    CITATION_FORMATS,
    CitationFormat,
    citation,
    citation_key,
    citation_meta,
)
from papertide.periods import day_period
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.discussion_pages import discussion_context
from papertide.web.forms import check_csrf, read_form
from papertide.web.presenters import paper_path, period_of, period_path
from papertide.web.session import csrf_token_for, current_viewer, signed_in_viewer
from papertide.web.templating import Renderer

SIMILAR_ON_PAGE = 6
RECENT_FETCHES = 200
REFRESH_SECONDS = 5
_EXTENSIONS: dict[str, CitationFormat] = {
    extension: kind for kind, (_, extension, _) in CITATION_FORMATS.items()}
router = APIRouter(include_in_schema=False)


@router.get("/papers/{arxiv_id:path}/cite.{extension}")
def citation_file(arxiv_id: str, extension: str, service: ServiceDep) -> Response:
    """``cite.bib``, ``cite.ris``, ``cite.json``: the citation as a file to download."""
    kind = _EXTENSIONS.get(extension)
    if kind is None:
        raise NotFoundError(f"citations come as cite.bib, cite.ris or cite.json, "
                            f"not cite.{extension[:20]}")
    paper = service.paper(arxiv_id)
    _, _, media_type = CITATION_FORMATS[kind]
    filename = f"{citation_key(paper)}.{extension}"
    return PlainTextResponse(citation(paper, kind), media_type=f"{media_type}; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/papers/{arxiv_id:path}/fetch")
async def fetch_missing(arxiv_id: str, request: Request, service: ServiceDep) -> Response:
    """Queue a fetch of a paper that is not stored (signed in, with the form's CSRF token)."""
    form = await read_form(request)
    signed_in_viewer(request)
    check_csrf(request, service, form)
    canonical = parse_arxiv_id(arxiv_id).base
    await run_in_threadpool(request_fetch, service, canonical)  # reads and writes the queue
    return RedirectResponse(paper_path(canonical), status_code=303)


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
    try:
        paper = service.paper(canonical)
    except NotFoundError:
        return _missing_page(canonical, request, service, renderer)
    cards = cards_for(request, service, [paper])
    announced = paper.announced_date
    base = service.settings.resolved_base_url.rstrip("/")
    return renderer.page(request, "paper.html", {
        "paper": paper,
        "cards": cards,
        "signals": cards.signals(paper.arxiv_id),
        "observations": service.observations(canonical),
        "similar": service.similar(canonical, SIMILAR_ON_PAGE),
        "periods": [period_of(kind, announced) for kind in ("date", "week", "month")]
        if announced else [],
        "feed_url": (period_path(day_period(announced)) + "/feed.atom") if announced else None,
        "feed_title": "Papers of the same day",
        "page_url": base + paper_path(paper.arxiv_id),
        "citation_meta": citation_meta(paper),
        "citations": [(kind, label, extension, citation(paper, kind))
                      for kind, (label, extension, _) in CITATION_FORMATS.items()],
        **discussion_context(request, service, canonical),
    })


def _missing_page(arxiv_id: str, request: Request, service: Papertide,
                  renderer: Renderer) -> Response:
    viewer = current_viewer(request)
    fetch: JobRecord | None = None
    if viewer is not None:
        fetch = latest_fetch(service.store.job_records(RECENT_FETCHES, (), (FETCH_KIND,)),
                             arxiv_id)
    context: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "abs_url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}",
        "signed_in": viewer is not None,
        "csrf_token": csrf_token_for(request, service) if viewer else "",
        "fetch": fetch,
        "refresh_seconds": REFRESH_SECONDS if fetch and fetch.state in ("queued", "running")
        else None,
        "retry_minutes": FETCH_EVERY_SECONDS // 60,
    }
    return renderer.page(request, "paper_missing.html", context, status_code=404)
