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
from starlette.responses import JSONResponse, PlainTextResponse, Response

from papertide.exceptions import (
    InvalidInputError,
    NotFoundError,
    PapertideError,
    SearchIndexError,
    StorageError,
)
from papertide.web.deps import get_renderer

API_PREFIX = "/api"
logger = logging.getLogger("papertide.web")
STATUS_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def is_api_request(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The JSON error body for the API, the error page for everything else."""
    if is_api_request(request):
        return JSONResponse({"status": status, "message": message}, status, headers=headers)
    try:
        response: Response = get_renderer(request).page(
            request, "error.html",
            {"status": status, "title": STATUS_TITLES.get(status, "Error"), "message": message},
            status_code=status,
        )
    except Exception:  # the error page itself failed: still answer, plainly
        logger.exception("cannot render the error page")
        response = PlainTextResponse(f"{status}: {message}", status)
    if headers:
        response.headers.update(headers)
    return response


def status_of(error: PapertideError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, InvalidInputError):
        return 400
    if isinstance(error, StorageError | SearchIndexError):
        return 503
    return 500


def describe_error(request: Request, error: Exception) -> tuple[int, str, dict[str, str]]:
    """The status, the message for a person and any headers (``Allow``) for ``error``."""
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


def install_error_handlers(app: FastAPI) -> None:
    for error_class in (PapertideError, HTTPException, RequestValidationError, Exception):
        app.add_exception_handler(error_class, handle_error)
