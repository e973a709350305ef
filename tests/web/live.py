"""The web app under a real uvicorn server in a thread, on a free loopback port, and
Debian's chromium to look at it (Playwright drives it; its own browser download is never
used)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Browser, sync_playwright

from tests.helpers import free_port

STARTUP_SECONDS = 20
CHROMIUM = Path("/usr/bin/chromium")
# No sandbox as root; no GPU on the test machines; no calls home (the network is closed).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, closed when the block ends."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def uvicorn_in_thread(app: Any, port: int | None = None, **config: Any) -> Iterator[str]:
    """Serve ``app`` (on ``port``, else a free one) until the block ends; yields its URL."""
    port = port or free_port()
    settings: dict[str, Any] = {"log_level": "warning", "ws": "none", "lifespan": "off"}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           **(settings | config)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app's base URL while it is served with its lifespan (as in production)."""
    with uvicorn_in_thread(app, lifespan="on") as url:
        yield url
