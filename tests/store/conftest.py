"""The ``store`` fixture runs every contract test once per storage engine.

An engine joins the contract suite by adding an entry to ``ENGINE_URLS``: a
function from a fresh temporary folder to a database URL that
``open_store`` accepts (PostgreSQL: an empty throw-away database on the test server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertide.store.base import Store
from papertide.store.factory import open_store
from tests.postgres import test_databases

ENGINE_URLS: dict[str, Callable[[Path], str]] = {
    "sqlite": lambda folder: f"sqlite:///{folder / 'contract.db'}",
    "postgresql": lambda folder: test_databases().empty_url(str(folder.resolve())),
}


@pytest.fixture(params=sorted(ENGINE_URLS))
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(engine: str, tmp_path: Path) -> str:
    return ENGINE_URLS[engine](tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def open_more_stores(database_url: str) -> Iterator[Callable[[], Store]]:
    """Open further handles on the same database (as a second process would)."""
    opened: list[Store] = []

    def open_one() -> Store:
        handle = open_store(database_url)
        opened.append(handle)
        return handle

    yield open_one
    for handle in opened:
        handle.close()


@pytest.fixture
def other_store(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A second, unrelated database of the same engine."""
    opened = open_store(ENGINE_URLS[engine](tmp_path_factory.mktemp("other")))
    yield opened
    opened.close()
