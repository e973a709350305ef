"""A paper's discussion: the forms that post, edit, delete, upvote and report
comments, the comment feed, the unsubscribe link of reply mail, and the
moderation page. Every form works without JavaScript (a redirect back to the
comment); every post checks the CSRF token and the Origin; the work runs in
the thread pool, never on the event loop.
"""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from papertide.accounts.paths import local_path
from papertide.accounts.service import Viewer
from papertide.app import Papertide
from papertide.exceptions import InvalidInputError, PapertideError, PermissionDeniedError
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.discussion_feed import comment_feed
from papertide.web.forms import check_csrf, read_form, wants_json
from papertide.web.presenters import paper_path, with_query
from papertide.web.session import csrf_token_for, current_viewer, signed_in_viewer

router = APIRouter(include_in_schema=False)
ADMIN_PAGE_SIZE = 50
MAX_ID = 2**62  # ids past this fit no database integer: a 400, not a driver error
CommentId = Annotated[int, Query(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
logger = logging.getLogger("papertide.web")


def comment_form_bytes(service: Papertide) -> int:
    """The largest comment form: every character percent-encoded UTF-8, plus the fields."""
    return service.settings.comment_max_chars * 12 + 4_096


def discussion_context(request: Request, service: Papertide, arxiv_id: str) -> dict[str, Any]:
    """What ``_discussion.html`` needs on a paper page."""
    viewer = current_viewer(request)
    discussions = service.discussions
    return {
        "discussion": discussions.discussion(arxiv_id, viewer.user if viewer else None),
        "discussion_mail": discussions.wants_mail(viewer.user) if viewer else False,
        "comment_suspended": bool(viewer and discussions.is_suspended(viewer.user)),
        "comment_max_chars": service.settings.comment_max_chars,
        "post_key": secrets.token_urlsafe(12),
        "comment_csrf": csrf_token_for(request, service) if viewer else "",
    }


def _back_to(arxiv_id: str, comment_id: int | None = None) -> str:
    return paper_path(arxiv_id) + (f"#comment-{comment_id}" if comment_id else "#discussion")


async def _signed_in_form(request: Request, service: Papertide,
                          max_bytes: int | None = None) -> tuple[Viewer, dict[str, str]]:
    form = await (read_form(request, max_bytes) if max_bytes else read_form(request))
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    return viewer, form


def _parent(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidInputError("parent_id must be a comment number")
    return int(text)


@router.post("/comments")
async def post_comment(request: Request, service: ServiceDep,
                       background: BackgroundTasks) -> Response:
    """A new comment (``arxiv_id``, ``body``) or a reply (with ``parent_id``)."""
    viewer, form = await _signed_in_form(request, service, comment_form_bytes(service))
    posted = await run_in_threadpool(
        service.discussions.post, viewer.user, form.get("arxiv_id", ""), form.get("body", ""),
        _parent(form.get("parent_id")), form.get("post_key"))
    if posted.mail_ids:
        background.add_task(deliver_now, service, posted.mail_ids)
    comment = posted.comment
    if wants_json(request):
        return JSONResponse({"id": comment.id, "arxiv_id": comment.arxiv_id,
                             "created": posted.created}, status_code=201 if posted.created
                            else 200)
    return RedirectResponse(_back_to(comment.arxiv_id, comment.id), status_code=303)


def deliver_now(service: Papertide, ids: tuple[int, ...]) -> None:
    """Send reply mail once the answer is out, when SMTP is set up (the worker retries
    what fails, and sends it when this server has no SMTP settings)."""
    if not service.digests.smtp_configured:
        return
    try:
        report = service.digests.deliver(ids=list(ids))
    except PapertideError:
        logger.exception("reply mail was not sent; the outbox keeps it")
        return
    if report.error:
        logger.warning("reply mail is waiting in the outbox: %s", report.error)


@router.get("/comments/{comment_id}/edit")
def edit_page(comment_id: PathId, request: Request, service: ServiceDep,
              renderer: RendererDep) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(with_query("/signin", [("next", request.url.path)]),
                                status_code=303)
    comment = service.discussions.comment(comment_id)
    if comment.user_id != viewer.user.id or comment.state != "visible":
        raise PermissionDeniedError("you can only edit your own comments")
    return renderer.page(request, "comment_edit.html", {
        "comment": comment, "paper": service.paper(comment.arxiv_id),
        "csrf_token": csrf_token_for(request, service),
        "comment_max_chars": service.settings.comment_max_chars,
    })


@router.post("/comments/{comment_id}")
async def change_comment(comment_id: PathId, request: Request, service: ServiceDep) -> Response:
    """``action``: edit (with ``body``), delete, upvote, unvote, report (with ``reason``)."""
    viewer, form = await _signed_in_form(request, service, comment_form_bytes(service))
    discussions = service.discussions
    action = form.get("action", "")
    user = viewer.user
    result: dict[str, Any]
    if action == "edit":
        comment = await run_in_threadpool(discussions.edit, user, comment_id,
                                          form.get("body", ""))
        result = {"id": comment.id, "edited": True}
    elif action == "delete":
        comment = await run_in_threadpool(discussions.delete, user, comment_id)
        result = {"id": comment.id, "deleted": True}
    elif action in ("upvote", "unvote"):
        change = discussions.upvote if action == "upvote" else discussions.remove_upvote
        votes = await run_in_threadpool(change, user, comment_id)
        comment = await run_in_threadpool(discussions.comment, comment_id)
        result = {"id": votes.comment_id, "votes": votes.votes, "voted": votes.voted}
    elif action == "report":
        await run_in_threadpool(discussions.report, user, comment_id, form.get("reason", ""))
        comment = await run_in_threadpool(discussions.comment, comment_id)
        result = {"id": comment.id, "reported": True}
    else:
        raise InvalidInputError("action must be edit, delete, upvote, unvote or report, "
                                f"got {action[:20]!r}")
    if wants_json(request):
        return JSONResponse(result)
    back = _back_to(comment.arxiv_id, comment.id)
    if action == "report":
        back = with_query(paper_path(comment.arxiv_id), [("reported", str(comment.id))]) + \
            f"#comment-{comment.id}"
    return RedirectResponse(back, status_code=303)


@router.get("/papers/{arxiv_id:path}/comments.atom")
def feed(arxiv_id: str, request: Request, service: ServiceDep) -> Response:
    """The paper's comments, newest first."""
    paper = service.paper(arxiv_id)
    discussion = service.discussions.discussion(paper.arxiv_id)
    return comment_feed(service, paper, discussion)


# -- reply mail -------------------------------------------------------------------------


@router.get("/discussions/unsubscribe")
def unsubscribe_page(request: Request, renderer: RendererDep,
                     user: CommentId, token: Annotated[str, Query(max_length=200)]) -> Response:
    """The link in reply mail: a button, so that mail scanners following links change nothing."""
    return renderer.page(request, "discussion_unsubscribe.html", {
        "user_id": user, "token": token, "done": False})


@router.post("/discussions/unsubscribe")
def unsubscribe(request: Request, service: ServiceDep, renderer: RendererDep,
                user: CommentId, token: Annotated[str, Query(max_length=200)]) -> Response:
    """RFC 8058 one-click: the signed link in the URL is the authority, so no session or
    CSRF token, and the body (``List-Unsubscribe=One-Click``, in any encoding) is not read."""
    service.discussions.stop_mail(user, token)
    return renderer.page(request, "discussion_unsubscribe.html", {
        "user_id": user, "token": token, "done": True})


@router.post("/discussions/mail")
async def set_mail(request: Request, service: ServiceDep) -> Response:
    """Signed in: ``mail=on`` or ``off`` for mail about replies."""
    viewer, form = await _signed_in_form(request, service)
    wanted = form.get("mail") == "on"
    await run_in_threadpool(service.discussions.set_mail, viewer.user, wanted)
    if wants_json(request):
        return JSONResponse({"discussion_mail": wanted})
    return RedirectResponse(local_path(form.get("next"), "/"), status_code=303)


# -- moderation -------------------------------------------------------------------------


@router.get("/admin/comments")
def moderation_page(request: Request, service: ServiceDep, renderer: RendererDep,
                    page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(with_query("/signin", [("next", "/admin/comments")]),
                                status_code=303)
    if not viewer.user.is_admin:
        raise PermissionDeniedError("only admins can see this page")
    view = service.discussions.moderation_view(ADMIN_PAGE_SIZE, (page - 1) * ADMIN_PAGE_SIZE)
    return renderer.page(request, "admin_comments.html", {
        "section": "admin", "view": view, "page": page, "page_size": ADMIN_PAGE_SIZE,
        "csrf_token": csrf_token_for(request, service),
    })


@router.post("/admin/comments/{comment_id}")
async def moderate(comment_id: PathId, request: Request, service: ServiceDep) -> Response:
    """``action``: hide, show, delete, or dismiss the comment's reports."""
    viewer, form = await _signed_in_form(request, service)
    comment = await run_in_threadpool(service.discussions.moderate, viewer.user, comment_id,
                                      form.get("action", ""))
    if wants_json(request):
        return JSONResponse({"id": comment.id, "state": comment.state})
    return RedirectResponse(local_path(form.get("next"), "/admin/comments"), status_code=303)


@router.post("/admin/commenters/{user_id}")
async def suspend(user_id: PathId, request: Request, service: ServiceDep) -> Response:
    """``action``: suspend or unsuspend a reader's commenting."""
    viewer, form = await _signed_in_form(request, service)
    action = form.get("action", "")
    if action not in ("suspend", "unsuspend"):
        raise InvalidInputError(f"action must be suspend or unsuspend, got {action[:20]!r}")
    await run_in_threadpool(service.discussions.suspend, viewer.user, user_id,
                            action == "suspend")
    if wants_json(request):
        return JSONResponse({"user_id": user_id, "suspended": action == "suspend"})
    return RedirectResponse(local_path(form.get("next"), "/admin/comments"), status_code=303)
