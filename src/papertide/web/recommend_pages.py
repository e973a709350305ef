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
from papertide.recommend.import_jobs import FinishedImport
from papertide.recommend.library_files import MAX_FILE_BYTES
from papertide.web.cards import cards_for
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import FormDep, check_csrf, wants_json
from papertide.web.presenters import with_query
from papertide.web.session import csrf_token_for, current_viewer, signed_in_viewer
from papertide.web.templating import Renderer

pages = APIRouter(include_in_schema=False)
Limit = Annotated[int, Query(ge=1, le=200, description="How many picks, best first.")]
UPLOAD_SLACK = 65_536  # the multipart envelope around the file
INLINE_IMPORT_BYTES = 64 * 1024  # bigger files are imported by a background job
PROGRESS_REFRESH_SECONDS = 2


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
def not_interested(arxiv_id: str, request: Request, service: ServiceDep,
                   form: FormDep) -> Response:
    """``action=mark`` hides the paper and demotes its close neighbours; ``action=undo``
    reverts. The page comes back with a confirmation and an Undo button; a script
    (``Accept: application/json``) gets the new state instead."""
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action = form.get("action", "mark")
    recommender = service.recommendations
    if action == "mark":
        key = recommender.mark_not_interested(viewer.user.id, arxiv_id)
    elif action == "undo":
        key = recommender.unmark_not_interested(viewer.user.id, arxiv_id)
    else:
        raise InvalidInputError(f"action must be mark or undo, got {action[:20]!r}")
    if wants_json(request):
        return JSONResponse({"arxiv_id": key, "not_interested": action == "mark"})
    back = local_path(form.get("next"), "/for-you")
    if action == "mark":
        back = with_query(back, [("hidden", key)])
    return RedirectResponse(back, status_code=303)


@pages.post("/for-you/filters")
def filters(request: Request, service: ServiceDep, form: FormDep) -> Response:
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
    (``text``), plus ``csrf_token``.

    Only the upload is read here, on the event loop; parsing and matching run in
    the thread pool (a small one, answered at once) or in a background job (a big
    one, followed on its progress page).
    """
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
    if upload is None:
        context["error"] = ("choose a file to import, or paste arXiv ids, DOIs or titles "
                            "into the box")
        return await run_in_threadpool(renderer.page, request, "library_import.html", context,
                                       400)
    data, filename, pasted = upload
    if len(data) > INLINE_IMPORT_BYTES:
        try:  # an unreadable file is refused at once; only matching waits for the job
            await run_in_threadpool(service.recommendations.check_library, data, filename,
                                    pasted)
        except InvalidInputError as error:
            context["error"] = str(error)
            return await run_in_threadpool(renderer.page, request, "library_import.html",
                                           context, 400)
        job_id = await run_in_threadpool(service.library_imports.start, viewer.user.id, data,
                                         filename, pasted)
        return RedirectResponse(f"/library/import/{job_id}", status_code=303)
    return await run_in_threadpool(_import_now, request, service, renderer, viewer.user.id,
                                   data, filename, pasted)


async def _submitted_library(upload: object, text: object
                             ) -> tuple[bytes, str, bool] | None:
    """``(data, file name, pasted)``: the chosen file, or else the pasted text."""
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read(MAX_FILE_BYTES + 1), upload.filename, False
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8"), "", True
    return None


def _import_context(request: Request, service: Papertide) -> dict[str, Any]:
    return {"section": "library", "report": None, "error": None,
            "csrf_token": csrf_token_for(request, service),
            "max_mb": MAX_FILE_BYTES // 1_048_576}


def _import_now(request: Request, service: Papertide, renderer: Renderer, user_id: int,
                data: bytes, filename: str, pasted: bool) -> Response:
    """A small import: done within the request (in the thread pool), then its report."""
    context = _import_context(request, service)
    try:
        report = service.recommendations.import_library(user_id, data, filename, pasted)
    except InvalidInputError as error:
        context["error"] = str(error)
        return renderer.page(request, "library_import.html", context, status_code=400)
    context["report"] = FinishedImport.of(report)
    return renderer.page(request, "library_import.html", context)


@pages.get("/library/import/{job_id}")
def import_progress(job_id: str, request: Request, service: ServiceDep,
                    renderer: RendererDep) -> Response:
    """A background import's progress, then its report (refreshes itself while it runs)."""
    viewer = current_viewer(request)
    if viewer is None:
        return _sign_in_first(f"/library/import/{job_id}")
    job = service.library_imports.status(viewer.user.id, job_id)
    response = renderer.page(request, "library_import_job.html", {
        "section": "library", "job": job, "refresh_seconds": PROGRESS_REFRESH_SECONDS})
    response.headers["Cache-Control"] = "no-store"
    return response
