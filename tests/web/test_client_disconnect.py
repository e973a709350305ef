"""A client that goes away in the middle of sending a form: one quiet line in the log."""

from __future__ import annotations

import logging
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from papertide.web import create_web_app
from tests.helpers import open_test_app
from tests.web.live import uvicorn_in_thread

WAIT_SECONDS = 20


class Noticed(logging.Handler):
    """Keeps every record and says when the first one about the request arrived."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.first = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if about_requests(record):
            self.records.append(record)
            self.first.set()


def about_requests(record: logging.LogRecord) -> bool:
    """papertide's own lines, and anything uvicorn reports as wrong (not its start-up)."""
    return record.name.startswith("papertide") or record.levelno >= logging.WARNING


@pytest.fixture
def noticed() -> Iterator[Noticed]:
    handler = Noticed()
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize("path", ["/subscribe", "/signin"])
def test_a_body_cut_short_is_one_info_line_not_an_error(
    tmp_path: Path, noticed: Noticed, path: str,
) -> None:
    service = open_test_app(tmp_path / "data")
    try:
        with uvicorn_in_thread(create_web_app(service), log_config=None,
                               log_level="info") as base:
            address = urlsplit(base)
            with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
                sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\n"
                             "Content-Length: 5000\r\n\r\nemail=ada%40exa".encode())
                sock.shutdown(socket.SHUT_WR)  # and gone, 4,985 bytes short
            assert noticed.first.wait(WAIT_SECONDS), "nothing was logged"
            with urllib.request.urlopen(base + "/api/health", timeout=10) as health:
                assert health.status == 200  # the server carries on
    finally:
        service.close()
    about_it = noticed.records
    assert [record.levelno for record in about_it] == [logging.INFO], \
        [record.getMessage() for record in about_it]
    assert about_it[0].exc_info is None
    assert "before sending the whole request" in about_it[0].getMessage()
