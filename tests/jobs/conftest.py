"""The queue on each storage engine, a clock the tests move, and a replay server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertide.embed.onnx import OnnxEmbedder
from papertide.jobs.queue import JobQueue
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.store.factory import open_store
from tests.ingest.replay import ReplayServer, replay_server
from tests.store.conftest import ENGINE_URLS

START = 1_800_000_000.0  # unix seconds; any fixed moment will do


class Wall:
    """Wall-clock seconds that move only when a test says so (leases, backoff)."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=sorted(ENGINE_URLS))
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return ENGINE_URLS[str(request.param)](tmp_path)


@pytest.fixture
def open_handle(database_url: str) -> Iterator[Callable[[], Store]]:
    """Open handles on one database, as separate worker processes would hold."""
    opened: list[Store] = []

    def open_one() -> Store:
        handle = open_store(database_url)
        opened.append(handle)
        return handle

    yield open_one
    for handle in opened:
        handle.close()


@pytest.fixture
def store(open_handle: Callable[[], Store]) -> Store:
    return open_handle()


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def queue_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, job_lease_seconds=30.0, job_retry_backoff=60.0,
                    job_max_attempts=3)


@pytest.fixture
def worker_queue(store: Store, queue_settings: Settings, wall: Wall
                 ) -> Callable[[str], JobQueue]:
    """The queue as seen by a worker named ``owner`` (all on the test's clock)."""
    return lambda owner: JobQueue(store, queue_settings, owner, wall)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as running:
        yield running


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    """The session's model, exported once into the folder the semantic tests share."""
    return OnnxEmbedder("all-MiniLM-L6-v2", "int8",
                        tmp_path_factory.getbasetemp().parent / "papertide-models")
