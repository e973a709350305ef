"""Where `papertide serve` is listening, for the commands that print links.

Without a ``base_url`` setting, a link printed by `papertide user link` would
name the default port even when the server runs on another one. `serve`
writes the address it listens on into the data folder while it runs, and the
link commands read it back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from papertide.settings import Settings

ADDRESS_FILE = "serving-address"


@contextlib.contextmanager
def recorded_address(settings: Settings) -> Iterator[None]:
    """Keep the serving address in the data folder while the block runs."""
    path = settings.data_dir / ADDRESS_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # with PostgreSQL nothing else makes it
        path.write_text(settings.resolved_base_url + "\n", encoding="utf-8")
    except OSError:
        yield  # a read-only data folder: links fall back to the settings
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def link_base_url(settings: Settings) -> str | None:
    """The address links should use: the ``base_url`` setting if set, else where a running
    `papertide serve` of this data folder listens, else ``None`` (the default)."""
    if settings.base_url:
        return None
    try:
        recorded = (settings.data_dir / ADDRESS_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return recorded if recorded.startswith(("http://", "https://")) else None
