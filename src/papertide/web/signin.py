"""Sign-in pages: ask for a link, land on it, confirm, sign out.

The link is mailed after the answer is sent (a background task), so the
answer takes as long whether the address is known or not.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from starlette.responses import RedirectResponse, Response

from papertide.accounts.paths import local_path
from papertide.app import Papertide
from papertide.exceptions import InvalidInputError, InvalidSignInLinkError, MailError
from papertide.web.clients import client_of
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import FormDep, check_csrf
from papertide.web.session import (
    anon_binding,
    cookie_policy,
    csrf_token_for,
    current_viewer,
)
from papertide.web.templating import Renderer

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("papertide.web")
NextParam = Annotated[str | None, Query(max_length=500)]


def _anon_page(request: Request, service: Papertide, renderer: Renderer, template: str,
               context: dict[str, object], status_code: int = 200) -> Response:
    """A page with an anonymous form: its CSRF token is bound to a cookie set here."""
    binding, new = anon_binding(request)
    token = csrf_token_for(request, service, "anon:" + binding)
    response = renderer.page(request, template, {"section": "signin", "csrf_token": token,
                                                 **context}, status_code=status_code)
    if new:
        cookie_policy(service).set_anon(response, binding)
    return response


@router.get("/signin")
def signin_page(request: Request, service: ServiceDep, renderer: RendererDep,
                next: NextParam = None) -> Response:
    return _anon_page(request, service, renderer, "signin.html",
                      {"next_path": local_path(next), "email": "", "error": None})


@router.post("/signin")
def signin_request(request: Request, service: ServiceDep, renderer: RendererDep,
                   background: BackgroundTasks, form: FormDep) -> Response:
    check_csrf(request, service, form)
    email = form.get("email", "")
    next_path = local_path(form.get("next"))
    client = client_of(request, service.settings)
    try:
        message = service.community.accounts.request_sign_in(email, client, next_path)
    except InvalidInputError as error:
        return _anon_page(request, service, renderer, "signin.html",
                          {"next_path": next_path, "email": email[:254], "error": str(error)},
                          status_code=400)
    if message is not None:
        background.add_task(_send, service, message)
    return RedirectResponse("/signin/sent", status_code=303)


def _send(service: Papertide, message: EmailMessage) -> None:
    try:
        service.community.mail_sender.send([message])
    except MailError:
        logger.exception("the sign-in mail was not sent")


@router.get("/signin/sent")
def signin_sent(request: Request, renderer: RendererDep) -> Response:
    return renderer.page(request, "signin_sent.html", {"section": "signin"})


@router.get("/signin/confirm")
def signin_landing(request: Request, service: ServiceDep, renderer: RendererDep,
                   token: Annotated[str, Query(max_length=500)] = "") -> Response:
    """The mailed link lands here: show who signs in, and a button (GET changes nothing)."""
    try:
        pending = service.community.accounts.pending_sign_in(token)
    except InvalidSignInLinkError as error:
        return _anon_page(request, service, renderer, "signin_confirm.html",
                          {"error": str(error), "token": "", "email": ""}, status_code=400)
    return _anon_page(request, service, renderer, "signin_confirm.html",
                      {"error": None, "token": token, "email": pending.email})


@router.post("/signin/confirm")
def signin_confirm(request: Request, service: ServiceDep, renderer: RendererDep,
                   form: FormDep) -> Response:
    check_csrf(request, service, form)
    try:
        signed_in = service.community.accounts.complete_sign_in(form.get("token", ""))
    except InvalidSignInLinkError as error:
        return _anon_page(request, service, renderer, "signin_confirm.html",
                          {"error": str(error), "token": "", "email": ""}, status_code=400)
    response = RedirectResponse(signed_in.next_path, status_code=303)
    cookie_policy(service).set_session(response, signed_in.cookie,
                                       service.settings.session_days * 86_400)
    return response


@router.post("/signout")
def signout(request: Request, service: ServiceDep, form: FormDep) -> Response:
    check_csrf(request, service, form)
    viewer = current_viewer(request)
    if viewer is not None:
        service.community.accounts.sign_out(viewer)
    response = RedirectResponse("/", status_code=303)
    cookie_policy(service).clear_session(response)
    return response
