"""Reading form posts with a size limit and a CSRF check.

Forms are small (an address, a few tags), so a body over
:data:`MAX_FORM_BYTES` is refused with 413 before it is parsed; every
state-changing request must carry the CSRF token (a ``csrf_token`` field or
an ``X-CSRF-Token`` header) and, when the browser sends one, an ``Origin``
of this site.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from papertide.app import Papertide
from papertide.exceptions import InvalidInputError, PermissionDeniedError
from papertide.web.session import csrf_binding

MAX_FORM_BYTES = 16_384
MAX_FIELDS = 20
FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The fields of a URL-encoded form post (413 if too large, 400 if malformed)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("", FORM_TYPE):
        raise InvalidInputError(f"send the form as {FORM_TYPE}")
    body = await read_body(request, max_bytes, "form")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_FIELDS, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInputError("the form could not be read") from None
    return dict(pairs)


async def read_body(request: Request, max_bytes: int, what: str = "request body") -> bytes:
    """The raw body, refused with 413 as soon as it passes ``max_bytes`` (declared or sent)."""
    declared = request.headers.get("content-length")
    too_large = f"the {what} is too large (at most {max_bytes:,} bytes)"
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise HTTPException(413, too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise HTTPException(413, too_large)
    return bytes(body)
FormDep = Annotated[dict[str, str], Depends(read_form)]
"""The posted form, read on the event loop (no I/O) before a plain ``def`` handler runs
in the thread pool: handlers that write to the database must never be ``async``."""


def check_csrf(request: Request, service: Papertide, form: dict[str, str]) -> None:
    """Refuse (403) a state change without this site's Origin and a valid CSRF token."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and not _same_site(origin, request, service):
        raise PermissionDeniedError(f"requests from {origin[:80]} cannot change anything here")
    token = form.get("csrf_token") or request.headers.get("x-csrf-token")
    service.community.accounts.check_csrf(csrf_binding(request), token)


def _same_site(origin: str, request: Request, service: Papertide) -> bool:
    allowed = {urlsplit(service.settings.resolved_base_url).netloc,
               request.headers.get("host", "")}
    return urlsplit(origin).netloc in allowed


def wants_json(request: Request) -> bool:
    """Script requests (the upvote button's fetch) ask for JSON instead of a redirect."""
    return "application/json" in request.headers.get("accept", "")
