"""Admin pages of the mail: digest previews and the addresses mail no longer reaches.

Only signed-in admins (``papertide user add --admin EMAIL``) see them; others
are sent to sign in (anonymous) or refused (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from papertide.accounts.service import Viewer
from papertide.digest.models import DigestKind
from papertide.exceptions import InvalidInputError, NotFoundError, PermissionDeniedError
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import FormDep, check_csrf
from papertide.web.presenters import with_query
from papertide.web.session import current_viewer

router = APIRouter(include_in_schema=False)
EmailParam = Annotated[str, Query(max_length=254)]
KindParam = Annotated[str, Query(max_length=10)]
DateParam = Annotated[str, Query(max_length=10)]
# The preview frame shows a mail's own HTML: its inline styles, nothing else, no scripts.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def _admin(request: Request) -> Viewer | None:
    viewer = current_viewer(request)
    if viewer is not None and not viewer.user.is_admin:
        raise PermissionDeniedError("only admins can see this page")
    return viewer


def _sign_in_first(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(with_query("/signin", [("next", target)]), status_code=303)


def _kind(text: str) -> DigestKind | None:
    if text in ("", "auto"):
        return None
    if text in ("daily", "weekly"):
        return "daily" if text == "daily" else "weekly"
    raise InvalidInputError(f"kind must be daily or weekly, got {text[:20]!r}")


def _day(text: str) -> dt.date | None:
    """The issue's day (YYYY-MM-DD), or None for the next issue."""
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(f"date must be YYYY-MM-DD, got {text[:20]!r}") from None


@router.get("/digest/preview")
def preview_page(request: Request, service: ServiceDep, renderer: RendererDep,
                 email: EmailParam = "", kind: KindParam = "",
                 date: DateParam = "") -> Response:
    if _admin(request) is None:
        return _sign_in_first(request)
    chosen = _kind(kind)
    preview = error = None
    status = 200
    if email.strip():
        try:
            preview = service.digests.preview(email, chosen, day=_day(date))
        except NotFoundError as problem:
            error, status = str(problem), 404
        except InvalidInputError as problem:
            error, status = str(problem), 400
    return renderer.page(request, "digest_preview.html", {
        "section": "admin", "email": email, "kind": kind, "date": date, "preview": preview,
        "error": error, "latest_day": service.latest_day(),
        "frame_url": with_query("/digest/preview/html",
                                [("email", email), ("kind", kind), ("date", date)]),
    }, status_code=status)


@router.get("/digest/preview/html")
def preview_html(request: Request, service: ServiceDep, email: EmailParam = "",
                 kind: KindParam = "", date: DateParam = "") -> Response:
    """The digest's HTML part alone, for the preview page's frame."""
    if _admin(request) is None:
        return _sign_in_first(request)
    preview = service.digests.preview(email, _kind(kind), day=_day(date))
    return HTMLResponse(preview.rendered.html, headers={
        "Content-Security-Policy": PREVIEW_POLICY, "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@router.get("/admin/mail")
def mail_page(request: Request, service: ServiceDep, renderer: RendererDep) -> Response:
    if _admin(request) is None:
        return _sign_in_first(request)
    return renderer.page(request, "mail_admin.html", {
        "section": "admin", "status": service.digests.status(),
        "smtp": service.settings.smtp_host or None,
        "resumed": request.query_params.get("resumed", "")[:254],
    })


@router.post("/admin/mail/resume")
def resume_address(request: Request, service: ServiceDep, form: FormDep) -> Response:
    if _admin(request) is None:
        raise PermissionDeniedError("sign in as an admin first")
    check_csrf(request, service, form)
    subscriber = service.digests.subscriptions.resume(form.get("email", ""))
    return RedirectResponse(with_query("/admin/mail", [("resumed", subscriber.email)]),
                            status_code=303)
