"""Typed dependencies, declared once: the service and the page renderer.

Both live on ``app.state`` (set by :func:`create_web_app`), never in module
globals, so several apps with different services can run in one process.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from papertide.app import Papertide
from papertide.web.templating import Renderer


def get_service(request: Request) -> Papertide:
    service: Papertide = request.app.state.service
    return service


def get_renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


async def _service(request: Request) -> Papertide:
    return get_service(request)


async def _renderer(request: Request) -> Renderer:
    return get_renderer(request)


# The dependencies only read attributes, so they run on the event loop: FastAPI runs a
# plain ``def`` dependency in the thread pool, a thread hand-off per dependency and request.
ServiceDep = Annotated[Papertide, Depends(_service)]
RendererDep = Annotated[Renderer, Depends(_renderer)]
