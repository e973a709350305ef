"""The For-you page, "not interested" marks, interest filters and library import.
Forms post with CSRF and work without JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import JSONResponse, RedirectResponse, Response

from papertide.accounts.paths import local_path
from papertide.app import Papertide
from papertide.exceptions import InvalidInputError
from papertide.recommend.library_files import MAX_FILE_BYTES
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import check_csrf, read_form, wants_json
from papertide.web.presenters import with_query
from papertide.web.session import csrf_token_for, current_viewer, signed_in_viewer

pages = APIRouter(include_in_schema=False)
Limit = Annotated[int, Query(ge=1, le=200, description="How many picks, best first.")]
UPLOAD_SLACK = 65_536  # the multipart envelope around the file
ADDED_SHOWN = 200


def _sign_in_first(path: str) -> Response:
    return RedirectResponse(with_query("/signin", [("next", path)]), status_code=303)


@pages.get("/for-you")
def for_you(request: Request, service: ServiceDep, renderer: RendererDep,
            limit: Limit = 30,
            hidden: Annotated[str | None, Query(max_length=40, description=(
                "A paper just marked not interested: the page offers to undo it."))] = None,
            ) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _sign_in_first("/for-you")
    recommender = service.recommendations
    found = recommender.for_user(viewer.user.id, limit)
    filters = recommender.filters(viewer.user.id)
    return renderer.page(request, "for_you.html", {
        "section": "for-you",
        "found": found,
        "filters": filters,
        "followed": recommender.followed_categories(viewer.user.id, filters),
        "hidden": recommender.just_hidden(viewer.user.id, hidden) if hidden else None,
        "cards": cards_for(request, service, [pick.paper for pick in found.picks]),
    })


@pages.post("/for-you/not-interested/{arxiv_id:path}")
async def not_interested(arxiv_id: str, request: Request, service: ServiceDep) -> Response:
    """``action=mark`` hides the paper and demotes its close neighbours; ``action=undo``
    reverts. The page comes back with a confirmation and an Undo button; a script
    (``Accept: application/json``) gets the new state instead."""
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action = form.get("action", "mark")
    recommender = service.recommendations
    if action == "mark":
        key = await run_in_threadpool(recommender.mark_not_interested, viewer.user.id, arxiv_id)
    elif action == "undo":
        key = await run_in_threadpool(recommender.unmark_not_interested, viewer.user.id,
                                      arxiv_id)
    else:
        raise InvalidInputError(f"action must be mark or undo, got {action[:20]!r}")
    if wants_json(request):
        return JSONResponse({"arxiv_id": key, "not_interested": action == "mark"})
    back = local_path(form.get("next"), "/for-you")
    if action == "mark":
        back = with_query(back, [("hidden", key)])
    return RedirectResponse(back, status_code=303)


@pages.post("/for-you/filters")
async def filters(request: Request, service: ServiceDep) -> Response:
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    service.recommendations.set_filters(viewer.user.id, form.get("categories", ""),
                                        form.get("include", ""), form.get("exclude", ""))
    return RedirectResponse("/for-you", status_code=303)


@pages.get("/library/import")
def import_form(request: Request, service: ServiceDep, renderer: RendererDep) -> Response:
    if current_viewer(request) is None:
        return _sign_in_first("/library/import")
    return renderer.page(request, "library_import.html", _import_context(request, service))


@pages.post("/library/import")
async def import_upload(request: Request, service: ServiceDep,
                        renderer: RendererDep) -> Response:
    """Import a library export (multipart ``file``) or pasted ids, DOIs and titles
    (``text``), plus ``csrf_token``."""
    viewer = signed_in_viewer(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_FILE_BYTES + UPLOAD_SLACK:
        raise HTTPException(413, f"the file is too large: library files up to "
                                 f"{MAX_FILE_BYTES // 1_048_576} MB are accepted")
    try:
        async with request.form(max_files=1, max_fields=5,
                                max_part_size=MAX_FILE_BYTES) as form:
            check_csrf(request, service, {"csrf_token": str(form.get("csrf_token") or "")})
            upload = await _submitted_library(form.get("file"), form.get("text"))
    except MultiPartException:
        raise InvalidInputError("the upload could not be read: send the file as "
                                "multipart/form-data in a field named file") from None
    context = _import_context(request, service)
    try:
        if upload is None:
            raise InvalidInputError("choose a file to import, or paste arXiv ids, DOIs or "
                                    "titles into the box")
        report = await run_in_threadpool(service.recommendations.import_library,
                                         viewer.user.id, *upload)
    except InvalidInputError as error:
        context["error"] = str(error)
        return renderer.page(request, "library_import.html", context, status_code=400)
    shown = report.added[:ADDED_SHOWN]
    found = await run_in_threadpool(service.store.get_papers, list(shown))
    context.update(report=report, added=[found[key] for key in shown if key in found])
    return renderer.page(request, "library_import.html", context)


async def _submitted_library(upload: object, text: object
                             ) -> tuple[bytes, str, bool] | None:
    """``(data, file name, pasted)``: the chosen file, or else the pasted text."""
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read(MAX_FILE_BYTES + 1), upload.filename, False
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8"), "", True
    return None


def _import_context(request: Request, service: Papertide) -> dict[str, Any]:
    return {"section": "library", "report": None, "error": None, "added": [],
            "csrf_token": csrf_token_for(request, service),
            "max_mb": MAX_FILE_BYTES // 1_048_576}
