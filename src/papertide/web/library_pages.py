"""Upvotes and the library: form posts that work without JavaScript, and the
library page. With ``Accept: application/json`` (the upvote button's script)
a vote answers with the new count instead of a redirect."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from papertide.accounts.paths import local_path
from papertide.exceptions import InvalidInputError
from papertide.library.export import FILE_KINDS, ExportFormat, export_library
from papertide.library.models import LibraryOrder
from papertide.models import PaperPage
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import FormDep, check_csrf, wants_json
from papertide.web.presenters import paginate, with_query
from papertide.web.session import current_viewer, signed_in_viewer

router = APIRouter(include_in_schema=False)
PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]
TagParam = Annotated[str | None, Query(max_length=40)]
TextParam = Annotated[str | None, Query(max_length=200)]
OrderParam = Annotated[LibraryOrder, Query(description="saved, announced or title")]
FormatParam = Annotated[ExportFormat, Query(description="bibtex, ris, csl-json or csv")]
SORT_LABELS: dict[LibraryOrder, str] = {"saved": "Last saved", "announced": "Newest paper",
                                        "title": "Title A–Z"}
EXPORT_LABELS: dict[ExportFormat, str] = {"bibtex": "BibTeX", "ris": "RIS",
                                          "csl-json": "CSL-JSON", "csv": "CSV"}
LIBRARY_UPDATES = 5


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
    tag: TagParam = None, q: TextParam = None, sort: OrderParam = "saved",
) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(with_query("/signin", [("next", "/library")]), status_code=303)
    community = service.community
    limit, offset = community.paging(page, None)
    chosen = _tag(tag)
    text = (q or "").strip()
    library = community.library.page(viewer.user.id, chosen, limit, offset, text, sort)
    papers = [paper for paper, _ in library.papers]
    listing = PaperPage(tuple(papers), library.total, offset, limit)
    kept = [("tag", chosen or ""), ("q", text), ("sort", "" if sort == "saved" else sort)]
    return renderer.page(request, "library.html", {
        "section": "library",
        "library": library,
        "tag": chosen,
        "text": text,
        "sort": sort,
        "sort_labels": SORT_LABELS,
        "tags": community.library.tags(viewer.user.id),
        "exports": [(label, with_query(f"/library/export.{FILE_KINDS[name].extension}",
                                       [("format", name), ("tag", chosen or "")]))
                    for name, label in EXPORT_LABELS.items()],
        "cards": cards_for(request, service, papers),
        "pagination": paginate(listing, "/library", kept),
        "updates": service.follows.updates(viewer.user.id, LIBRARY_UPDATES),
        "unwatched": service.follows.unwatched(viewer.user.id,
                                               [paper.arxiv_id for paper in papers]),
    })


@router.get("/library/export.{extension}")
def library_export(
    extension: str, request: Request, service: ServiceDep, format: FormatParam,
    tag: TagParam = None,
) -> Response:
    """The library (or one tag of it) as a file: BibTeX, RIS, CSL-JSON or CSV."""
    viewer = signed_in_viewer(request)
    if FILE_KINDS[format].extension != extension:
        raise InvalidInputError(f"a {format} export ends in .{FILE_KINDS[format].extension}, "
                                f"not .{extension[:10]}")
    chosen = _tag(tag)
    library = service.community.library.everything(viewer.user.id, chosen)
    name = "papertide-library" + (f"-{_file_safe(chosen)}" if chosen else "")
    return Response(
        export_library(library.papers, format), media_type=FILE_KINDS[format].media_type,
        headers={"Content-Disposition":
                 f'attachment; filename="{name}.{FILE_KINDS[format].extension}"',
                 "Cache-Control": "no-store"},
    )


def _tag(tag: str | None) -> str | None:
    return tag.strip().lower() if tag and tag.strip() else None


def _file_safe(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "tag"
