"""A worker whose process is busy (the GIL held by one long C call) keeps its job: the
lease keeper renews it from a process of its own. Without it, another worker's claim
takes the job over and it runs twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.jobs.heartbeat import Heartbeat
from papertide.jobs.lease_keeper import LeaseKeeper
from papertide.jobs.models import NewJob
from papertide.jobs.queue import JobQueue
from papertide.settings import Settings
from papertide.store.base import Store

LEASE_SECONDS = 2.0
STALL_LEASES = 3  # the process is unresponsive for three whole leases

# Another worker's claim loop, in its own process: it polls for due jobs like
# `papertide worker` does (job_poll_seconds), until told to stop.
THIEF = """
import sys, time
from pathlib import Path
from papertide.jobs.queue import JobQueue
from papertide.settings import Settings
from papertide.store.factory import open_store
url, stop_file, data_dir, lease = sys.argv[1:5]
store = open_store(url)
queue = JobQueue(store, Settings(data_dir=Path(data_dir), job_lease_seconds=float(lease)),
                 "other-worker")
print("ready", flush=True)
while not Path(stop_file).exists():
    job = queue.claim()
    if job is not None:
        print(f"took {job.id}", flush=True)
        break
    time.sleep(0.05)
store.close()
"""


def hold_the_gil(seconds: float) -> None:
    """One C call that never lets another thread of this process run (``sum`` over a
    range checks no eval breaker), sized to last about ``seconds``."""
    probe = 2_000_000
    started = time.perf_counter()
    sum(range(probe))
    per_item = max(time.perf_counter() - started, 1e-6) / probe
    sum(range(int(seconds / per_item)))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url,
                    job_lease_seconds=LEASE_SECONDS)


@pytest.fixture
def keeper(settings: Settings) -> Iterator[LeaseKeeper]:
    started = LeaseKeeper(settings, "busy-worker")
    assert started.start()
    yield started
    started.stop()


def run_stalled_job(store: Store, settings: Settings, database_url: str, tmp_path: Path,
                    keeper: LeaseKeeper | None) -> tuple[str, bool]:
    """Claim a job, stall the process past its lease while another worker polls;
    what the other worker printed, and whether the busy worker could finish the job."""
    queue = JobQueue(store, settings, "busy-worker")
    queue.enqueue(NewJob("arxiv-oai@2026-06-12T07:00Z", "arxiv-oai"))
    job = queue.claim()
    assert job is not None
    stop_file = tmp_path / "stop"
    with Heartbeat(queue, job, threading.Event(), threading.Event(), keeper):
        thief = subprocess.Popen(
            [sys.executable, "-c", THIEF, database_url, str(stop_file), str(tmp_path),
             str(LEASE_SECONDS)], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        try:
            assert thief.stdout is not None and thief.stdout.readline().strip() == "ready"
            hold_the_gil(LEASE_SECONDS * STALL_LEASES)
            stop_file.touch()
            said = thief.communicate(timeout=60)[0]
        finally:
            if thief.poll() is None:
                thief.kill()
                thief.wait()
    return said.strip(), queue.finish(job, "harvested")


def test_a_busy_worker_keeps_its_job_with_a_lease_keeper(
    store: Store, settings: Settings, database_url: str, tmp_path: Path, keeper: LeaseKeeper,
) -> None:
    said, finished = run_stalled_job(store, settings, database_url, tmp_path, keeper)
    assert said == "" and finished
    record = store.job_records(1)[0]
    assert record.state == "done" and record.attempts == 1


@pytest.mark.sqlite_only
def test_without_it_the_stalled_job_is_taken_over_and_the_late_worker_changes_nothing(
    store: Store, settings: Settings, database_url: str, tmp_path: Path,
) -> None:
    said, finished = run_stalled_job(store, settings, database_url, tmp_path, None)
    assert said.startswith("took ") and not finished
    record = store.job_records(1)[0]
    assert record.state == "running" and record.lease_owner == "other-worker"
