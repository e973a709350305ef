"""API documentation: Swagger UI from the installed package, and the schema.

FastAPI's own /docs and /redoc load scripts from a CDN; these pages use the
``swagger-ui-bundle-v2`` package's files, served under /docs-static.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.responses import HTMLResponse

from papertide.web.deps import ServiceDep

DOCS_STATIC = "/docs-static"
SWAGGER_UI_DIR: str = swagger_ui_bundle.swagger_ui_path
router = APIRouter(include_in_schema=False)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@router.get("/docs")
def swagger_ui(service: ServiceDep) -> HTMLResponse:
    page = _swagger_page(service.settings.site_name)
    page.headers.update({"Content-Security-Policy": docs_policy(bytes(page.body).decode()),
                         "Referrer-Policy": "same-origin"})
    return page


def docs_policy(html: str) -> str:
    """The pages' policy, loosened only as Swagger UI needs: its one inline script (by
    hash), inline styles and data: images; still no other host and no framing."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html))
    return ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            f"script-src 'self' {hashes}; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")


def _swagger_page(site_name: str) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{site_name} API",
        swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
        # No online validator badge: it would call validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 0},
    )


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The schema, saying 400 (not FastAPI's 422) for invalid parameters.

    Validation errors are answered with the common ``{status, message}`` shape
    and status 400, so the generated 422 responses would be wrong.
    """
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description,
            routes=app.routes, tags=app.openapi_tags,
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
