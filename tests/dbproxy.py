"""A TCP proxy on loopback in front of the test PostgreSQL server, that a test can cut.

Cutting it closes every open connection and refuses new ones, as a database
restart or a network failure would; restoring it lets connections through again.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import parse_qs, urlparse


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the server's Unix socket."""

    def __init__(self, server_url: str) -> None:
        parsed = urlparse(server_url)
        socket_dir = parse_qs(parsed.query)["host"][0]
        self._target = f"{socket_dir}/.s.PGSQL.{parsed.port or 5432}"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets, self._open = self._open, []
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._cut:
                    client.close()
                    continue
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                upstream.connect(self._target)
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@contextmanager
def cuttable_proxy(server_url: str) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(server_url)
    try:
        yield proxy
    finally:
        proxy.close()
