"""The signed-in reader's account: address, sessions, digest, their data, leaving.

Every change is a form post with the session's CSRF token and works without
JavaScript; deleting the account asks for a ticked confirmation.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from papertide.exceptions import InvalidInputError
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import check_csrf, read_form
from papertide.web.presenters import with_query
from papertide.web.session import cookie_policy, current_viewer, signed_in_viewer

router = APIRouter(include_in_schema=False)
ACCOUNT_UPDATES = 5  # the newest updates to saved papers the page lists
NOTICES = {"elsewhere": "You are signed out everywhere else."}


@router.get("/account")
def account_page(request: Request, service: ServiceDep, renderer: RendererDep,
                 done: str = "") -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(with_query("/signin", [("next", "/account")]), status_code=303)
    community = service.community
    sessions = community.accounts.sessions(viewer)
    subscriber = service.store.subscriber_by_email(viewer.user.email)
    response = renderer.page(request, "account.html", {
        "section": "account",
        "sessions": sessions,
        "this_session": viewer.session_hash,
        "subscriber": subscriber,
        "library_total": community.library.page(viewer.user.id, None, 1, 0).total,
        "follows": service.follows.of(viewer.user.id),
        "updates": service.follows.updates(viewer.user.id, ACCOUNT_UPDATES),
        "notice": NOTICES.get(done[:20]),
    })
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/sign-out-elsewhere")
async def sign_out_elsewhere(request: Request, service: ServiceDep) -> Response:
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    await run_in_threadpool(service.community.accounts.sign_out_elsewhere, viewer)
    return RedirectResponse("/account?done=elsewhere", status_code=303)


@router.get("/account/data.json")
def download_data(request: Request, service: ServiceDep) -> Response:
    """Everything kept about the signed-in reader, as a JSON file."""
    viewer = signed_in_viewer(request)
    data = service.personal_data(viewer.user)
    return Response(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                    media_type="application/json",
                    headers={"Content-Disposition":
                             'attachment; filename="papertide-account.json"',
                             "Cache-Control": "no-store"})


@router.post("/account/delete")
async def delete_account(request: Request, service: ServiceDep,
                         renderer: RendererDep) -> Response:
    form = await read_form(request)
    viewer = signed_in_viewer(request)
    check_csrf(request, service, form)
    if form.get("confirm") != "yes":
        raise InvalidInputError("tick the box to confirm that the account and its library "
                                "should be deleted")
    await run_in_threadpool(service.delete_account, viewer.user,
                            form.get("end_subscription") == "yes")
    response = await run_in_threadpool(renderer.page, request, "account_deleted.html", {
        "section": "account", "email": viewer.user.email, "viewer": None})
    cookie_policy(service).clear_session(response)
    return response
