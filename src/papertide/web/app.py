"""Build the web app around a service the caller opened (and will close)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from papertide import __version__
from papertide.app import Papertide
from papertide.web import (
    account_pages,
    api,
    author_pages,
    community_api,
    discussion_api,
    discussion_pages,
    docs,
    feeds,
    follows_pages,
    library_pages,
    mail_admin,
    pages,
    paper_pages,
    recommend_api,
    recommend_pages,
    signin,
    subscription_pages,
    topics_pages,
    trending_pages,
)
from papertide.web.background import SearchFollower, TopicsRefresher
from papertide.web.errors import install_error_handlers
from papertide.web.head import HeadAsGet
from papertide.web.page_cache import CachedPagesMiddleware, PageCache
from papertide.web.security_headers import NoSniff
from papertide.web.session import SESSION_COOKIE, ViewerMiddleware
from papertide.web.static_files import STATIC_DIR, CachedStaticFiles
from papertide.web.templating import PAGE_HEADERS, Renderer
from papertide.web.write_wait import BoundedWriteWait

DOCS_MAX_AGE = 7 * 86_400
API_DESCRIPTION = """\
Trending research papers from arXiv: the papers of a day, a week or a month, each
paper's record, keyword search, the trending lists (`/api/trending`), rising topics
(`/api/topics`) and, signed in, papers picked for you (`/api/recommendations`).

Every list has the same envelope: the papers in `papers`, with `total`, `limit`,
`offset` and `has_more`. The older list keys `results` (search, similar) and `picks`
(recommendations) still hold the same list for one release; they are marked deprecated.

Every error has the same JSON shape: `{"status": 400, "message": "..."}`.
Atom feeds of the same lists are linked from every HTML page.
"""


def create_web_app(service: Papertide, extra_process: bool = False) -> FastAPI:
    """Pages, the JSON API under /api, Atom feeds, docs at /docs.

    The app does not own ``service``: whoever opened it closes it, except in an
    ``extra_process`` of ``papertide serve --workers N``, which closes it on
    shutdown, leaves rising topics to the first process and follows the vectors
    that process stores. A web host that keeps local search replicas (PostgreSQL)
    follows the database's commits into them.
    """
    service.community  # noqa: B018 -- build it now, not in two threads at once
    service.digests  # noqa: B018 -- likewise
    service.discussions  # noqa: B018 -- likewise
    refresh_minutes = service.settings.topics_refresh_minutes
    background: list[TopicsRefresher | SearchFollower] = (
        [] if extra_process else [TopicsRefresher(service, refresh_minutes)])
    if extra_process or service.keeps_replicas:
        background.append(SearchFollower(service))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for worker in background:
            worker.start()
        if extra_process:
            service.start_warming_up()
        try:
            yield
        finally:
            for worker in background:
                worker.stop()
            if extra_process:
                service.close()

    app = FastAPI(
        lifespan=lifespan,
        title=f"{service.settings.site_name} API",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/openapi.json",
    )
    app.state.service = service
    app.state.renderer = Renderer(service.settings)
    app.state.page_cache = PageCache(min(trending_pages.PAGE_CACHE_SECONDS,
                                         service.settings.trending_refresh_seconds))
    app.openapi = lambda: docs.openapi_schema(app)  # type: ignore[method-assign]
    install_error_handlers(app)
    app.add_middleware(ViewerMiddleware, service=service)
    app.add_middleware(BoundedWriteWait, seconds=service.settings.web_write_wait_seconds)
    app.add_middleware(GZipMiddleware, minimum_size=1_000)
    app.add_middleware(CachedPagesMiddleware, cache=app.state.page_cache,
                       paths=trending_pages.CACHED_PATHS, headers=PAGE_HEADERS,
                       session_cookie=SESSION_COOKIE)
    app.add_middleware(HeadAsGet)  # HEAD is answered like GET, compressed alike
    app.add_middleware(NoSniff)  # outermost: every answer, errors included
    app.include_router(discussion_api.router)  # before api: /papers/{id:path} would match
    app.include_router(api.router)
    app.include_router(community_api.router)
    app.include_router(docs.router)
    app.include_router(feeds.router)  # before pages: /papers/{id:path} would match feeds
    app.include_router(discussion_pages.router)  # likewise, for the comment feed
    app.include_router(signin.router)
    app.include_router(account_pages.router)
    app.include_router(subscription_pages.router)
    app.include_router(mail_admin.router)
    app.include_router(recommend_api.router)
    app.include_router(follows_pages.api)
    app.include_router(follows_pages.pages)
    app.include_router(recommend_pages.pages)  # before library_pages: /library/{id} matches
    app.include_router(library_pages.router)
    app.include_router(trending_pages.router)
    app.include_router(topics_pages.router)
    app.include_router(author_pages.router)
    app.include_router(pages.router)  # the period pages, before a paper's /papers/{id:path}
    app.include_router(paper_pages.router)
    app.mount("/static", CachedStaticFiles(STATIC_DIR), name="static")
    app.mount(docs.DOCS_STATIC, CachedStaticFiles(Path(docs.SWAGGER_UI_DIR), DOCS_MAX_AGE),
              name="docs-static")
    return app
