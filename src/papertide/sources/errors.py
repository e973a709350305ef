"""Errors of the network sources: a server refused, failed, or could not be reached.

They subclass :class:`papertide.exceptions.PapertideError`, so every entry point
already shows them as one line (the CLI exits with status 1).
"""

from __future__ import annotations

from papertide.exceptions import PapertideError


class SourceError(PapertideError):
    """A source could not deliver: unreachable, kept failing, or asked for too long a wait."""


class SourceHTTPError(SourceError):
    """The server answered with a client error (4xx) that no retry can fix."""

    def __init__(self, message: str, status: int, url: str, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.body = body


class SourceProtocolError(SourceError):
    """The server answered, but with an error of its protocol (an OAI-PMH ``<error>``...)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
