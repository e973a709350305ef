"""The discussion of a paper in the JSON API: read it, and post to it signed in.

``POST`` takes the session cookie and the CSRF token in ``X-CSRF-Token`` (the
``GET`` answer carries it for a signed-in reader), like every state change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from papertide.discussions.thread import Discussion, ShownComment, author_label
from papertide.exceptions import InvalidInputError
from papertide.web.deps import ServiceDep
from papertide.web.discussion_pages import comment_form_bytes, deliver_now
from papertide.web.forms import check_csrf, read_body
from papertide.web.schemas import ErrorPublic
from papertide.web.session import csrf_token_for, current_viewer, signed_in_viewer

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "A parameter is malformed"},
    404: {"model": ErrorPublic, "description": "No such paper (or comment answered)"},
    500: {"model": ErrorPublic, "description": "Something failed on the server"},
}
POST_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "Not signed in"},
    403: {"model": ErrorPublic, "description": "Missing CSRF token, foreign Origin, or the "
                                               "reader is suspended from discussions"},
    413: {"model": ErrorPublic, "description": "The comment (or the request) is too long"},
    429: {"model": ErrorPublic, "description": "Too many comments this hour"},
}
router = APIRouter(prefix="/api", responses=ERRORS)


class CommentPublic(BaseModel):
    id: int
    parent_id: int | None = Field(description="The comment this one replies to.")
    author: str = Field(description="The author's reader number, or [deleted account].")
    state: str = Field(description="visible, hidden (admins see these), or deleted / hidden "
                                   "placeholders kept for their replies.")
    body: str | None = Field(description="The Markdown source (null for a placeholder).")
    html: str | None = Field(description="The sanitised HTML the page shows.")
    created_at: dt.datetime
    edited_at: dt.datetime | None
    votes: int


class DiscussionPublic(BaseModel):
    arxiv_id: str
    count: int = Field(description="Comments readers see.")
    comments: list[CommentPublic] = Field(description="Threads in page order: each top-level "
                                                      "comment followed by its replies.")
    csrf_token: str | None = Field(description="For POST, when signed in.")


class CommentCreate(BaseModel):
    body: str = Field(description="Markdown: emphasis, code, links, lists, quotes; $math$ "
                                  "is shown as text.")
    parent_id: int | None = Field(None, ge=1, le=2**62, description="Reply to this comment.")
    post_key: str | None = Field(None, max_length=64, description="Any string unique to this "
                                 "attempt: a retried request stores the comment once.")


class PostedPublic(BaseModel):
    comment: CommentPublic
    created: bool = Field(description="False when the same post_key had stored it already.")


def comment_public(item: ShownComment) -> CommentPublic:
    comment = item.comment
    placeholder = item.placeholder is not None
    return CommentPublic(
        id=comment.id, parent_id=comment.parent_id, author=item.author,
        state=comment.state if not comment.author_suspended else "hidden",
        body=None if placeholder else comment.body, html=None if placeholder else comment.body_html,
        created_at=comment.created_at, edited_at=comment.edited_at, votes=comment.votes)


def discussion_public(discussion: Discussion, csrf_token: str | None) -> DiscussionPublic:
    return DiscussionPublic(arxiv_id=discussion.arxiv_id, count=discussion.count,
                            comments=[comment_public(item) for item in discussion.comments],
                            csrf_token=csrf_token)


@router.get("/papers/{arxiv_id:path}/comments", response_model=DiscussionPublic,
            tags=["discussions"], summary="A paper's discussion")
def read_discussion(arxiv_id: str, request: Request, service: ServiceDep) -> DiscussionPublic:
    viewer = current_viewer(request)
    discussion = service.discussions.discussion(arxiv_id, viewer.user if viewer else None)
    return discussion_public(discussion, csrf_token_for(request, service) if viewer else None)


@router.post("/papers/{arxiv_id:path}/comments", response_model=PostedPublic, status_code=201,
             tags=["discussions"], summary="Comment on a paper, or reply (signed in)",
             responses={200: {"model": PostedPublic,
                              "description": "Stored before, under the same post_key"},
                        **POST_ERRORS},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": CommentCreate.model_json_schema()}}}})
async def post_comment(arxiv_id: str, request: Request, service: ServiceDep,
                       background: BackgroundTasks) -> JSONResponse:
    raw = await read_body(request, comment_form_bytes(service))
    viewer = signed_in_viewer(request)
    check_csrf(request, service, {})
    try:
        payload = CommentCreate.model_validate_json(raw or b"{}")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidInputError(f"{where}: {first['msg']}") from None
    posted = await run_in_threadpool(service.discussions.post, viewer.user, arxiv_id,
                                     payload.body, payload.parent_id, payload.post_key)
    if posted.mail_ids:
        background.add_task(deliver_now, service, posted.mail_ids)
    item = ShownComment(posted.comment, author_label(posted.comment.user_id), own=True)
    answer = PostedPublic(comment=comment_public(item), created=posted.created)
    return JSONResponse(answer.model_dump(mode="json"), status_code=201 if posted.created
                        else 200, background=background)
