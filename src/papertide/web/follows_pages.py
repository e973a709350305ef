"""Following authors and watching papers: the /follows page, its forms, the private feed
and the JSON API (``/api/me/follows``).

Form posts work without JavaScript and carry the CSRF token; the API takes the
session cookie and an ``X-CSRF-Token`` header for its changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from papertide.accounts.paths import local_path
from papertide.exceptions import InvalidInputError, NotFoundError
from papertide.follows.describe import event_lines, event_title
from papertide.follows.models import AuthorFollow
from papertide.web.atom import ATOM_MEDIA_TYPE, FeedInfo, UpdateEntry, render_feed
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import check_csrf, read_form
from papertide.web.presenters import with_query
from papertide.web.schemas import ErrorPublic
from papertide.web.session import csrf_token_for, current_viewer, signed_in_viewer

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "A parameter is malformed"},
    401: {"model": ErrorPublic, "description": "Not signed in (send the session cookie)"},
    403: {"model": ErrorPublic, "description": "No valid X-CSRF-Token header"},
    404: {"model": ErrorPublic, "description": "Not followed (DELETE)"},
    500: {"model": ErrorPublic, "description": "Something failed on the server"},
}
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/me", tags=["follows"], responses=ERRORS)
MAX_COAUTHORS = 20


@pages.get("/follows")
def follows_page(
    request: Request, service: ServiceDep, renderer: RendererDep,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The authors you follow, updates to your saved papers, your private feed; with
    ``name``, the people of that name here, to pick whom to follow."""
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(with_query("/signin", [("next", "/follows")]), status_code=303)
    follows = service.follows
    user_id = viewer.user.id
    wanted = " ".join((name or "").split())
    return renderer.page(request, "follows.html", {
        "section": "follows",
        "follows": follows.of(user_id),
        "wanted": wanted,
        "people": follows.identities(wanted) if wanted else [],
        "updates": follows.updates(user_id),
        "has_feed": follows.has_feed(user_id),
        "new_feed_url": None,
        "csrf_token": csrf_token_for(request, service),
    })


@pages.post("/follows")
async def change_follow(request: Request, service: ServiceDep) -> Response:
    """``action=follow`` (``name``, optional ``coauthors`` as ``;``-separated names) or
    ``action=unfollow`` (``name``)."""
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action, name = form.get("action", "follow"), form.get("name", "")
    if action == "follow":
        coauthors = [part for part in form.get("coauthors", "").split(";") if part.strip()]
        await run_in_threadpool(service.follows.follow, viewer.user.id, name,
                                coauthors[:MAX_COAUTHORS])
    elif action == "unfollow":
        await run_in_threadpool(service.follows.unfollow, viewer.user.id, name)
    else:
        raise InvalidInputError(f"action must be follow or unfollow, got {action[:20]!r}")
    return RedirectResponse(local_path(form.get("next"), "/follows"), status_code=303)


@pages.post("/follows/feed")
async def change_feed(request: Request, service: ServiceDep, renderer: RendererDep
                      ) -> Response:
    """``action=new`` makes a new private feed address (the old one stops working) and
    shows it once; ``action=revoke`` turns the feed off."""
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action = form.get("action", "new")
    if action == "revoke":
        await run_in_threadpool(service.follows.revoke_feed, viewer.user.id)
        return RedirectResponse("/follows", status_code=303)
    if action != "new":
        raise InvalidInputError(f"action must be new or revoke, got {action[:20]!r}")
    token = await run_in_threadpool(service.follows.new_feed_token, viewer.user.id)
    base = service.settings.resolved_base_url
    follows = service.follows
    return await run_in_threadpool(renderer.page, request, "follows.html", {
        "section": "follows", "follows": follows.of(viewer.user.id), "wanted": "",
        "people": [], "updates": follows.updates(viewer.user.id), "has_feed": True,
        "new_feed_url": f"{base}/follows/feed/{token}.atom",
        "csrf_token": csrf_token_for(request, service),
    })


@pages.post("/watch/{arxiv_id:path}")
async def change_watch(arxiv_id: str, request: Request, service: ServiceDep) -> Response:
    """``action=watch`` or ``action=unwatch`` a saved paper."""
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    action = form.get("action", "watch")
    if action not in ("watch", "unwatch"):
        raise InvalidInputError(f"action must be watch or unwatch, got {action[:20]!r}")
    paper = await run_in_threadpool(service.paper, arxiv_id)
    await run_in_threadpool(service.follows.set_watching, viewer.user.id, paper.arxiv_id,
                            action == "watch")
    return RedirectResponse(local_path(form.get("next"), "/library"), status_code=303)


@pages.get("/follows/feed/{token}.atom")
def private_feed(token: str, service: ServiceDep) -> Response:
    """New papers by the authors you follow and updates to your saved papers, for a feed
    reader; the address is the secret, so it can be revoked from /follows."""
    follows = service.follows
    user_id = follows.feed_reader(token)
    if user_id is None:
        raise NotFoundError("no such feed: the address is wrong or was revoked")
    followed, updates = follows.feed(user_id)
    base = service.settings.resolved_base_url
    info = FeedInfo(
        title=f"{service.settings.site_name}: people you follow and papers you saved",
        subtitle="New papers by the authors you follow, and updates to your saved papers.",
        self_url=f"{base}/follows/feed/{token}.atom", page_url=f"{base}/follows",
        site_name=service.settings.site_name, site_url=base,
        fallback_updated=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    entries = [UpdateEntry(f"{base}/updates/{update.event.id}",
                           f"{event_title(update.event)}: {update.paper.title}",
                           update.event.created_at, update.paper,
                           "\n".join(event_lines(update.event))) for update in updates]
    return Response(render_feed(info, [item.paper for item in followed], entries),
                    media_type=ATOM_MEDIA_TYPE)


# -- the JSON API ---------------------------------------------------------------------


class FollowPublic(BaseModel):
    name: str = Field(description="The author's name as shown.")
    key: str = Field(description="The normalised name follows are matched on.")
    coauthors: list[str] = Field(description="Normalised co-author names that pick one of "
                                             "several same-named people.")
    followed_at: dt.datetime


class FollowsPublic(BaseModel):
    follows: list[FollowPublic]


class FollowCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="The author to follow.")
    coauthors: list[str] = Field(default_factory=list, max_length=MAX_COAUTHORS,
                                 description="Co-authors of the person you mean, when "
                                             "several people share the name.")


def _public(follow: AuthorFollow) -> FollowPublic:
    return FollowPublic(name=follow.display_name, key=follow.author_key,
                        coauthors=list(follow.coauthors), followed_at=follow.created_at)


@api.get("/follows", response_model=FollowsPublic, summary="Authors you follow")
def list_follows(request: Request, service: ServiceDep) -> FollowsPublic:
    """The signed-in reader's followed authors (session cookie), oldest first."""
    viewer = signed_in_viewer(request)
    return FollowsPublic(follows=[_public(f) for f in service.follows.of(viewer.user.id)])


@api.post("/follows", response_model=FollowPublic, status_code=201,
          summary="Follow an author")
def create_follow(body: FollowCreate, request: Request, service: ServiceDep) -> FollowPublic:
    """Follow an author (session cookie and ``X-CSRF-Token``); following again updates
    the co-authors."""
    viewer = signed_in_viewer(request)
    check_csrf(request, service, {})
    return _public(service.follows.follow(viewer.user.id, body.name, body.coauthors))


@api.delete("/follows/{name}", status_code=204, summary="Unfollow an author")
def delete_follow(name: str, request: Request, service: ServiceDep) -> Response:
    """Stop following ``name`` (session cookie and ``X-CSRF-Token``); 404 if not followed."""
    viewer = signed_in_viewer(request)
    check_csrf(request, service, {})
    if not service.follows.unfollow(viewer.user.id, name):
        raise NotFoundError(f"you do not follow {name[:100]!r}")
    return Response(status_code=204)
