"""``X-Content-Type-Options: nosniff`` on every answer, whatever made it.

Pages set it with their other headers; JSON, Atom, the schema and error
answers come from many places, so it is added here, at the edge, to each
response that does not carry it yet: a browser never guesses a type and runs
a JSON answer or a feed as a script or a page.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = ("X-Content-Type-Options", "nosniff")


class NoSniff:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if NOSNIFF[0] not in headers:
                    headers.append(*NOSNIFF)
            await send(message)

        await self.app(scope, receive, with_header)
