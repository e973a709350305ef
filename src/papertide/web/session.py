"""Who is asking: the session cookie, read once per request.

:class:`ViewerMiddleware` puts the signed-in person (or ``None``) on
``request.state.viewer`` for every request, so that every page — error
pages too — shows the right header. The cookies:

- ``papertide_session``: the signed session secret (HttpOnly, SameSite=Lax,
  Secure when the site's base URL is https);
- ``papertide_anon``: a random value that anonymous forms (sign-in) bind
  their CSRF token to.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide.accounts.service import Viewer
from papertide.app import Papertide
from papertide.exceptions import AuthenticationRequiredError

SESSION_COOKIE = "papertide_session"
ANON_COOKIE = "papertide_anon"
ANON_MAX_AGE = 24 * 3_600


class ViewerMiddleware:
    """Resolve the session cookie into ``request.state.viewer`` (``None`` when anonymous)."""

    def __init__(self, app: ASGIApp, service: Papertide) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        # the lookup reads (and now and then writes) the database: never on the event loop
        viewer = (await run_in_threadpool(self.service.community.accounts.viewer, cookie)
                  if cookie else None)
        scope.setdefault("state", {})["viewer"] = viewer
        if cookie and viewer is None:  # an ended or forged session: drop the cookie
            async def clear_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableHeaders(scope=message)
                    # ...unless this very response sets a new one (a sign-in): browsers apply
                    # Set-Cookie in order, so a later Max-Age=0 would undo it.
                    if not _sets_cookie(headers, SESSION_COOKIE):
                        headers.append("set-cookie", f"{SESSION_COOKIE}=; Max-Age=0; Path=/; "
                                                     "HttpOnly; SameSite=Lax")
                await send(message)

            await self.app(scope, receive, clear_cookie)
            return
        await self.app(scope, receive, send)


def _sets_cookie(headers: MutableHeaders, name: str) -> bool:
    return any(value.split("=", 1)[0].strip() == name
               for value in headers.getlist("set-cookie"))


def current_viewer(request: Request) -> Viewer | None:
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    return viewer


def signed_in_viewer(request: Request) -> Viewer:
    viewer = current_viewer(request)
    if viewer is None:
        raise AuthenticationRequiredError("sign in first: /signin")
    return viewer


async def _viewer(request: Request) -> Viewer | None:
    return current_viewer(request)


async def _signed_in_viewer(request: Request) -> Viewer:
    return signed_in_viewer(request)


# on the event loop: they only read request.state (see web/deps.py)
ViewerDep = Annotated[Viewer | None, Depends(_viewer)]
SignedInDep = Annotated[Viewer, Depends(_signed_in_viewer)]


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    secure: bool

    def set_session(self, response: Response, value: str, max_age: int) -> None:
        response.set_cookie(SESSION_COOKIE, value, max_age=max_age, path="/", httponly=True,
                            samesite="lax", secure=self.secure)

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=self.secure)

    def set_anon(self, response: Response, value: str) -> None:
        response.set_cookie(ANON_COOKIE, value, max_age=ANON_MAX_AGE, path="/", httponly=True,
                            samesite="lax", secure=self.secure)


def cookie_policy(service: Papertide) -> CookiePolicy:
    return CookiePolicy(secure=service.settings.resolved_base_url.startswith("https://"))


def anon_binding(request: Request) -> tuple[str, bool]:
    """The anonymous CSRF binding: ``(value, is_new)``; a new one must be set as a cookie."""
    existing = request.cookies.get(ANON_COOKIE, "")
    if 20 <= len(existing) <= 100:
        return existing, False
    return secrets.token_urlsafe(24), True


def csrf_binding(request: Request) -> str | None:
    """What this request's CSRF token is bound to: the session, else the anonymous cookie."""
    viewer = current_viewer(request)
    if viewer is not None:
        return "session:" + viewer.session_hash
    anon = request.cookies.get(ANON_COOKIE)
    return "anon:" + anon if anon else None


def csrf_token_for(request: Request, service: Papertide, binding: str | None = None) -> str:
    """The token to embed in this request's forms."""
    bound = binding or csrf_binding(request)
    return service.community.accounts.csrf_token(bound) if bound else ""
