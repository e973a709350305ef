"""Every request waits only briefly for the database's write lock.

While a big import holds the lock, a vote or a sign-in answers 503 with
Retry-After after ``web_write_wait_seconds`` instead of hanging for the long
wait jobs accept (see ``papertide.store.write_wait``). Set here, outside the
session middleware, so its occasional write is bounded too.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from papertide.store.write_wait import bounded_write_wait


class BoundedWriteWait:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with bounded_write_wait(self.seconds):
            await self.app(scope, receive, send)
