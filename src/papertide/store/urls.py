"""Reading database URLs: which SQLite file one names, and how to show one safely.

Below both the engine factory and the engines, which all need it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from papertide.exceptions import ConfigError


def sqlite_path(database_url: str) -> Path | None:
    """The file a SQLite URL names, None for a PostgreSQL URL; ConfigError for anything else."""
    if "://" not in database_url:
        return Path(database_url).expanduser()
    parsed = urlparse(database_url)
    if parsed.scheme == "sqlite":
        raw = unquote(database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        if not raw or raw == ":memory:":
            raise ConfigError("an in-memory SQLite database cannot be shared; give a file path")
        return Path(raw).expanduser()
    if parsed.scheme in ("postgresql", "postgres"):
        return None
    raise ConfigError(
        f"unsupported database URL scheme {parsed.scheme!r} "
        "(use sqlite:///path/to/papertide.db or postgresql://user@host/dbname)"
    )


def redact_url(database_url: str) -> str:
    """The URL without its password or query (which may hold one), for output and logs."""
    if "://" not in database_url:
        return database_url
    parsed = urlparse(database_url)
    if parsed.scheme == "sqlite":
        return database_url
    user = f"{parsed.username}@" if parsed.username else ""
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    query = "?..." if parsed.query else ""
    return f"{parsed.scheme}://{user}{host}{port}{parsed.path}{query}"
