"""Serve the local assets (ours and Swagger UI's) with cache headers.

Nothing is loaded from another host: the stylesheet, the script, the logo
and the API docs' bundle all come from the installed package.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
ASSETS_MAX_AGE = 86_400
VERSIONED_MAX_AGE = 31_536_000


class CachedStaticFiles(StaticFiles):
    """StaticFiles plus Cache-Control; a ``?v=`` URL is cached for a year."""

    def __init__(self, directory: Path, max_age: int = ASSETS_MAX_AGE) -> None:
        super().__init__(directory=directory)
        self.max_age = max_age

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        if versioned:
            response.headers["Cache-Control"] = f"public, max-age={VERSIONED_MAX_AGE}, immutable"
        else:
            response.headers["Cache-Control"] = f"public, max-age={self.max_age}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def asset_versions(directory: Path = STATIC_DIR) -> dict[str, str]:
    """A short content hash per asset, so a changed file gets a new URL."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        for path in sorted(directory.iterdir()) if path.is_file()
    }
