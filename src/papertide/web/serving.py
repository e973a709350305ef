"""Running the web app: one process, or several sharing one port.

With ``serve_workers`` above 1 (``papertide serve --workers N``), uvicorn
starts N web processes that share the listening socket. Each opens the
database and the search indexes itself, read-only: tantivy readers see the
first process's commits, and each copy of the vector index follows the stored
vectors (:class:`~papertide.web.background.SearchFollower`). On PostgreSQL the
tantivy index is the host's local replica, which the first process keeps in
step with the database (``search/replicas.py``). The first process
(the one started from the command line) serves no requests then: it is the
only one that writes the indexes, embeds, recomputes rising topics and runs the
schedules, so no two processes do the same work or write the same files.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from papertide.app import Papertide, open_app
from papertide.settings import settings_as_json, settings_from_json
from papertide.web.app import create_web_app
from papertide.web.background import SearchFollower, TopicsRefresher

PROCESS_SETTINGS_ENV = "PAPERTIDE_WEB_PROCESS_SETTINGS"
LOG_LEVEL = "warning"


def serve(service: Papertide) -> None:
    """Serve until interrupted, with as many processes as ``serve_workers`` says."""
    import uvicorn

    settings = service.settings
    if settings.serve_workers <= 1:
        # proxy_headers off: the client address is read from trusted proxies only
        # (``trusted_proxies``, web/clients.py), never from FORWARDED_ALLOW_IPS.
        uvicorn.run(create_web_app(service), host=settings.host, port=settings.port,
                    log_level=LOG_LEVEL, access_log=False, proxy_headers=False)
        return
    service.community  # noqa: B018 -- the site key is made once, here, not by N processes
    if settings.search_mode != "keyword":
        service.semantic.embedder.embed_query("ready")  # the model exported once, here
    background: list[TopicsRefresher | SearchFollower] = [
        TopicsRefresher(service, settings.topics_refresh_minutes)]
    if service.keeps_replicas:  # this process writes the host's copies; the others read them
        background.append(SearchFollower(service))
    os.environ[PROCESS_SETTINGS_ENV] = settings_as_json(settings)
    for worker in background:
        worker.start()
    try:
        uvicorn.run("papertide.web.serving:extra_process_app", factory=True,
                    workers=settings.serve_workers, host=settings.host, port=settings.port,
                    log_level=LOG_LEVEL, access_log=False, proxy_headers=False)
    finally:
        for worker in background:
            worker.stop()


def extra_process_app() -> FastAPI:
    """The app of one web process of several (uvicorn calls this in each)."""
    settings = settings_from_json(os.environ[PROCESS_SETTINGS_ENV])
    return create_web_app(open_app(settings, writes_indexes=False, web_host=True),
                          extra_process=True)
