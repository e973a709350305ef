"""A local HTTP server on 127.0.0.1 that answers with recorded responses.

Routes map a path to replies: one fixed reply, a list served in order (the last
one repeats), or a function of the request. Every request is recorded with its
arrival and finish times as the server saw them, so tests can check the gaps a
client left and that it never had two requests in flight.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

XML = "text/xml; charset=UTF-8"
ATOM = "application/atom+xml; charset=UTF-8"
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """What the server sends; ``cut_after`` sends that many body bytes, then hangs up."""

    body: bytes = b""
    status: int = 200
    content_type: str = XML
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut_after: int | None = None


@dataclass
class SeenRequest:
    """A request as the server saw it; times are the server's ``time.monotonic()``."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]
    arrived: float
    replying: float | None = None  # when the answer started to go out
    finished: float | None = None


Responder = Callable[[SeenRequest], Reply]


def gaps(requests: Sequence[SeenRequest]) -> list[float]:
    """Seconds from the start of each answer to the arrival of the next request.

    A client cannot finish reading an answer before it starts, so a client that
    pauses ``p`` seconds after each answer leaves gaps of at least ``p`` here,
    however the server's threads are scheduled. Negative: the next request came
    before the previous one was answered (two at once).
    """
    ordered = sorted(requests, key=lambda request: request.arrived)
    return [later.arrived - (earlier.replying or earlier.arrived)
            for earlier, later in itertools.pairwise(ordered)]


class ReplayServer:
    """Start with ``with replay_server() as server``; ``server.url`` is its base URL."""

    def __init__(self) -> None:
        self.requests: list[SeenRequest] = []
        self.max_in_flight = 0
        self._routes: dict[str, Responder] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self._arrival = threading.Condition(self._lock)
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _handler_class(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, replies: Reply | Sequence[Reply] | Responder) -> None:
        """Answer ``path`` (without query) with ``replies``."""
        if isinstance(replies, Reply):
            fixed = replies
            self._routes[path] = lambda _request: fixed
        elif callable(replies):
            self._routes[path] = replies
        else:
            queue = list(replies)
            served = [0]

            def in_order(_request: SeenRequest) -> Reply:
                with self._lock:
                    index = min(served[0], len(queue) - 1)
                    served[0] += 1
                return queue[index]

            self._routes[path] = in_order

    def seen(self, path: str | None = None) -> list[SeenRequest]:
        with self._lock:
            return [request for request in self.requests if path in (None, request.path)]

    def wait_for(self, predicate: Callable[[SeenRequest], bool], timeout: float) -> bool:
        """Block until a request matching ``predicate`` has arrived."""
        deadline = time.monotonic() + timeout
        with self._arrival:
            while not any(predicate(request) for request in self.requests):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._arrival.wait(remaining)
        return True

    # -- called by the handler threads ----------------------------------------------------

    def _arrive(self, request: SeenRequest) -> Responder | None:
        with self._arrival:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            self._arrival.notify_all()
        return self._routes.get(request.path)

    def _leave(self, request: SeenRequest) -> None:
        with self._lock:
            self._in_flight -= 1
            request.finished = time.monotonic()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a killed process, a timeout) is part of the tests."""


def _handler_class(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            request = SeenRequest(
                path=parts.path,
                params={key: values[-1] for key, values in
                        parse_qs(parts.query, keep_blank_values=True).items()},
                headers={key.lower(): value for key, value in self.headers.items()},
                arrived=time.monotonic(),
            )
            responder = server._arrive(request)
            try:
                reply = responder(request) if responder else Reply(b"no such route", 404,
                                                                   "text/plain")
                if reply.delay and server.stopping.wait(reply.delay):
                    return
                request.replying = time.monotonic()
                self._send(reply)
            finally:
                server._leave(request)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.cut_after is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.cut_after is not None:
                self.wfile.write(reply.body[:reply.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read ``server.requests`` instead."""

    return Handler


@contextmanager
def replay_server() -> Iterator[ReplayServer]:
    server = ReplayServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
