"""Reading form posts with a size limit, an origin check and a CSRF check.

Forms are small (an address, a few tags), so a body over
:data:`MAX_FORM_BYTES` is refused with 413 before it is parsed; every
state-changing request must carry the CSRF token (a ``csrf_token`` field or
an ``X-CSRF-Token`` header) and, when the browser sends one, an ``Origin``
of this site. Pages reached by a signed link (the subscription pages) carry
the link's token instead of a CSRF token and read their form as pairs
(:data:`PairsDep`), since checkboxes repeat a field.
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
MAX_REPEATED_FIELDS = 60
"""Forms whose checkboxes repeat one field (a subscription's categories) have more fields."""
FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The fields of a URL-encoded form post (413 if too large, 400 if malformed)."""
    if not _is_form(request):
        raise InvalidInputError(f"send the form as {FORM_TYPE}")
    body = await read_body(request, max_bytes, "form")
    return dict(_parse_pairs(body, MAX_FIELDS))


async def read_pairs(request: Request) -> list[tuple[str, str]]:
    """A small URL-encoded form as pairs (fields may repeat: checkboxes); 413 if too large.

    A body of another type reads as no fields rather than an error: RFC 8058's
    one-click unsubscribe may come as multipart, and its token is in the URL.
    """
    body = await read_body(request, MAX_FORM_BYTES, "form")
    if not _is_form(request):
        return []
    return _parse_pairs(body, MAX_REPEATED_FIELDS)


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


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type in ("", FORM_TYPE)


def _parse_pairs(body: bytes, max_fields: int) -> list[tuple[str, str]]:
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                         max_num_fields=max_fields, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInputError("the form could not be read") from None


FormDep = Annotated[dict[str, str], Depends(read_form)]
"""The posted form, read on the event loop (no I/O) before a plain ``def`` handler runs
in the thread pool: handlers that write to the database must never be ``async``."""
PairsDep = Annotated[list[tuple[str, str]], Depends(read_pairs)]
"""The posted form as pairs, for forms whose fields repeat (read like :data:`FormDep`)."""


def check_origin(request: Request, service: Papertide,
                 refused: str = "cannot change anything here") -> None:
    """Refuse (403) a form posted from another site (browsers say where a post comes from)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return
    allowed = {urlsplit(service.settings.resolved_base_url).netloc,
               request.headers.get("host", "")}
    if urlsplit(origin).netloc not in allowed:
        raise PermissionDeniedError(f"requests from {origin[:80]} {refused}")


def check_csrf(request: Request, service: Papertide, form: dict[str, str]) -> None:
    """Refuse (403) a state change without this site's Origin and a valid CSRF token."""
    check_origin(request, service)
    token = form.get("csrf_token") or request.headers.get("x-csrf-token")
    service.community.accounts.check_csrf(csrf_binding(request), token)


def wants_json(request: Request) -> bool:
    """Script requests (the upvote button's fetch) ask for JSON instead of a redirect."""
    return "application/json" in request.headers.get("accept", "")
