"""Where to send someone after signing in: a path on this site, never elsewhere."""

from __future__ import annotations

import re

MAX_PATH = 500
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def local_path(text: str | None, default: str = "/") -> str:
    """``text`` if it is a path on this site (``/papers/...``), else ``default``.

    ``//evil.example`` and ``https://...`` would leave the site (an open redirect).
    """
    if not text or len(text) > MAX_PATH or _UNSAFE.search(text):
        return default
    if not text.startswith("/") or text.startswith("//"):
        return default
    return text
