"""Every error becomes one JSON shape under /api and a styled page elsewhere.

The JSON shape is ``{"status": <int>, "message": "<text for a human>"}``
whatever went wrong: a bad parameter, an unknown route, a wrong method, a
missing paper or a bug. Nobody ever sees a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, PlainTextResponse, Response

from papertide.exceptions import (
    AuthenticationRequiredError,
    ConflictError,
    DatabaseBusyError,
    InvalidInputError,
    MailError,
    NotFoundError,
    PapertideError,
    PermissionDeniedError,
    RateLimitedError,
    SearchIndexError,
    StorageError,
    TooLargeError,
)
from papertide.web.deps import get_renderer
from papertide.web.security_headers import NOSNIFF

API_PREFIX = "/api"
logger = logging.getLogger("papertide.web")
STATUS_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Already done",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def is_api_request(request: Request) -> bool:
    """API paths, and scripts on pages that ask for JSON (the upvote button)."""
    path = request.url.path
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The JSON error body for the API, the error page for everything else."""
    if is_api_request(request):  # nosniff here too: a 500 is answered outside the middleware
        return JSONResponse({"status": status, "message": message}, status,
                            headers={**(headers or {}), NOSNIFF[0]: NOSNIFF[1]})
    try:
        response: Response = get_renderer(request).page(
            request, "error.html",
            {"status": status, "title": STATUS_TITLES.get(status, "Error"), "message": message},
            status_code=status,
        )
    except Exception:  # the error page itself failed: still answer, plainly
        logger.exception("cannot render the error page")
        response = PlainTextResponse(f"{status}: {message}", status, headers=dict([NOSNIFF]))
    if headers:
        response.headers.update(headers)
    return response


def status_of(error: PapertideError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, TooLargeError):
        return 413
    if isinstance(error, InvalidInputError):
        return 400
    if isinstance(error, StorageError | SearchIndexError | MailError):
        return 503
    return _ACCOUNT_STATUSES.get(type(error), 500)


_ACCOUNT_STATUSES: dict[type[PapertideError], int] = {
    AuthenticationRequiredError: 401,
    PermissionDeniedError: 403,
    ConflictError: 409,
    RateLimitedError: 429,
}


def describe_error(request: Request, error: Exception) -> tuple[int, str, dict[str, str]]:
    """The status, the message for a person and any headers (``Allow``) for ``error``."""
    if isinstance(error, RateLimitedError):
        return 429, str(error), {"Retry-After": str(error.retry_after)}
    if isinstance(error, DatabaseBusyError):
        return 503, str(error), {"Retry-After": str(error.retry_after)}
    if isinstance(error, PapertideError):
        return status_of(error), str(error), {}
    if isinstance(error, RequestValidationError):
        return 400, describe_validation(error.errors()), {}
    if isinstance(error, HTTPException):
        headers = dict(error.headers or {})
        if error.status_code == 404:
            return 404, (
                f"there is no API endpoint at {request.url.path}; the list is at /docs"
                if is_api_request(request) else f"there is no page at {request.url.path}"
            ), headers
        if error.status_code == 405:
            allowed = headers.get("Allow") or headers.get("allow") or "GET"
            return 405, f"{request.method} is not allowed here; use {allowed}", headers
        return error.status_code, str(error.detail), headers
    return 500, "something went wrong on our side; the error has been logged", {}


async def handle_error(request: Request, error: Exception) -> Response:
    status, message, headers = describe_error(request, error)
    if status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, error, exc_info=error)
    return error_response(request, status, message, headers)


def describe_validation(errors: Sequence[Any]) -> str:
    """``limit: Input should be less than or equal to 200`` for each bad parameter."""
    parts = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("query", "path")]
        name = ".".join(location) or "request"
        parts.append(f"{name}: {item.get('msg', 'invalid value')}")
    return "; ".join(dict.fromkeys(parts)) or "the request is invalid"


async def client_went_away(request: Request, error: Exception) -> Response:
    """Nobody is left to answer: a line for the log, no traceback (it is not our error)."""
    logger.info("%s %s: the client went away before sending the whole request",
                request.method, request.url.path)
    return Response(status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    for error_class in (PapertideError, HTTPException, RequestValidationError, Exception):
        app.add_exception_handler(error_class, handle_error)
    app.add_exception_handler(ClientDisconnect, client_went_away)
