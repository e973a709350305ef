"""The web app under a real uvicorn server in a thread, on a free loopback port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from tests.helpers import free_port

STARTUP_SECONDS = 20


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
