"""Fixtures shared by every test suite; builders live in ``tests/helpers.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings as hypothesis_settings

from papertide.app import Papertide
from papertide.settings import Settings
from tests.helpers import FIXED_NOW, make_settings, open_test_app
from tests.postgres import stop_test_server, test_engine

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# No example database on disk, no flaky deadlines on a busy 2-core machine.
hypothesis_settings.register_profile("papertide", database=None, deadline=None)
hypothesis_settings.load_profile("papertide")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, skip the tests about the SQLite file itself."""
    if test_engine() != "postgresql":
        return
    skip = pytest.mark.skip(reason="about the SQLite database file")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the PostgreSQL test server (and delete its folder) once the last process ends."""
    stop_test_server()


@pytest.fixture
def now() -> dt.datetime:
    return FIXED_NOW


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The papertide data folder of one test (database and search index)."""
    return tmp_path / "papertide-data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return make_settings(data_dir)


@pytest.fixture
def app(data_dir: Path) -> Iterator[Papertide]:
    """An empty service on its own database and index, with the clock at FIXED_NOW."""
    service = open_test_app(data_dir)
    yield service
    service.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless chromium (Debian's, ``tests/web/live.py``) shared by a module's tests."""
    from tests.web.live import chromium

    with chromium() as launched:
        yield launched
