"""The queue on each storage engine, a clock the tests move, and a replay server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertide.embed.onnx import OnnxEmbedder
from papertide.jobs.queue import JobQueue
from papertide.settings import Settings
from papertide.store.base import Store
from tests.ingest.replay import ReplayServer, replay_server

# The engine-parametrised database fixtures of the store contract suite, shared.
from tests.store.conftest import database_url, engine, open_more_stores  # noqa: F401

START = 1_800_000_000.0  # unix seconds; any fixed moment will do


class Wall:
    """Wall-clock seconds that move only when a test says so (leases, backoff)."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def store(open_more_stores: Callable[[], Store]) -> Store:  # noqa: F811 (fixture argument)
    """The queue's database, on each engine (``database_url`` comes from the store suite)."""
    return open_more_stores()


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
