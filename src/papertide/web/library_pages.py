"""Upvotes and the library: form posts that work without JavaScript, and the
library page. With ``Accept: application/json`` (the upvote button's script)
a vote answers with the new count instead of a redirect."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from papertide.accounts.paths import local_path
from papertide.exceptions import InvalidInputError
from papertide.models import PaperPage
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import FormDep, check_csrf, wants_json
from papertide.web.presenters import paginate, with_query
from papertide.web.session import current_viewer, signed_in_viewer

router = APIRouter(include_in_schema=False)
PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]


@router.post("/votes/{arxiv_id:path}")
def vote(arxiv_id: str, request: Request, service: ServiceDep, form: FormDep) -> Response:
    """``action=up`` upvotes, ``action=remove`` takes the upvote back."""
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action = form.get("action", "up")
    library = service.community.library
    if action == "up":
        state = library.upvote(viewer.user.id, arxiv_id)
    elif action == "remove":
        state = library.remove_upvote(viewer.user.id, arxiv_id)
    else:
        raise InvalidInputError(f"action must be up or remove, got {action[:20]!r}")
    if wants_json(request):
        return JSONResponse({"arxiv_id": state.arxiv_id, "votes": state.votes,
                             "voted": state.voted})
    return RedirectResponse(local_path(form.get("next"), "/"), status_code=303)


@router.post("/library/{arxiv_id:path}")
def save(arxiv_id: str, request: Request, service: ServiceDep, form: FormDep) -> Response:
    """``action=save`` saves (or re-tags, with ``tags``), ``action=remove`` removes."""
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action = form.get("action", "save")
    library = service.community.library
    if action == "save":
        saved = library.save(viewer.user.id, arxiv_id, form.get("tags"))
        result: dict[str, object] = {"arxiv_id": saved.arxiv_id, "saved": True,
                                     "tags": list(saved.tags)}
    elif action == "remove":
        library.unsave(viewer.user.id, arxiv_id)
        result = {"arxiv_id": arxiv_id, "saved": False, "tags": []}
    else:
        raise InvalidInputError(f"action must be save or remove, got {action[:20]!r}")
    if wants_json(request):
        return JSONResponse(result)
    return RedirectResponse(local_path(form.get("next"), "/library"), status_code=303)


@router.get("/library")
def library_page(
    request: Request, service: ServiceDep, renderer: RendererDep, page: PageNumber = 1,
    tag: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(with_query("/signin", [("next", "/library")]), status_code=303)
    community = service.community
    limit, offset = community.paging(page, None)
    chosen = tag.strip().lower() if tag and tag.strip() else None
    library = community.library.page(viewer.user.id, chosen, limit, offset)
    papers = [paper for paper, _ in library.papers]
    listing = PaperPage(tuple(papers), library.total, offset, limit)
    return renderer.page(request, "library.html", {
        "section": "library",
        "library": library,
        "tag": chosen,
        "tags": community.library.tags(viewer.user.id),
        "cards": cards_for(request, service, papers),
        "pagination": paginate(listing, "/library", [("tag", chosen or "")]),
    })
