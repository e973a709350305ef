"""Several processes embed the papers together: each paper gets one vector, computed once,
a range whose holder died is taken over, and a holder that lost its range stores nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from papertide.app import Papertide
from papertide.embed.base import Vectors, paper_text, text_fingerprint
from papertide.embed.export import export_folder_name
from papertide.embed.onnx import OnnxEmbedder
from papertide.embed.sync import EmbeddingTurn, embed_pending
from papertide.jobs.models import NewJob
from papertide.models import PaperRecord
from papertide.store.base import Store
from papertide.store.embedding_claims import EmbeddingClaim
from papertide.store.factory import open_store
from papertide.store.vectors import NewVector
from tests.helpers import FIXED_NOW, data_dir_environment, make_record, open_test_app

PAPERS = 120
BATCH = 4  # ranges of 32 papers: several ranges for every process
LEASE = 60.0
DEADLINE_SECONDS = 300  # a busy 2-core machine is slow; the test ends as soon as all is done
MODEL = "all-MiniLM-L6-v2/int8"
TOPICS = ("rainfall forecasting from radar maps", "surface codes for quantum error correction",
          "sorting nearly sorted arrays", "protein structure prediction",
          "speech recognition for low-resource languages", "graph neural networks for molecules")


def records(count: int = PAPERS) -> list[PaperRecord]:
    return [make_record(f"2503.{n:05d}", f"Paper {n} on {TOPICS[n % len(TOPICS)]}",
                        abstract=f"We study {TOPICS[n % len(TOPICS)]}, variant {n}.")
            for n in range(1, count + 1)]


class Wall:
    """Unix seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


# -- in one process, on a clock the test moves ------------------------------------------------


class StallingEmbedder:
    """The real model; while embedding its first batch, its worker "stalls" past the lease
    and another worker takes the range over and finishes it."""

    def __init__(self, inner: OnnxEmbedder, on_first_batch: object) -> None:
        self.inner = inner
        self.on_first_batch = on_first_batch
        self.calls = 0

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if self.calls == 1:
            self.on_first_batch()  # type: ignore[operator]
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        return self.inner.embed_query(text)


def test_a_stalled_worker_loses_its_range_to_another_and_stores_nothing(
    app: Papertide, embedder: OnnxEmbedder
) -> None:
    store = app.store
    store.upsert_papers(records(40), FIXED_NOW)
    wall = Wall()
    stalled_turn = EmbeddingTurn("stalled-worker", LEASE, wall)
    helper_turn = EmbeddingTurn("helper-worker", LEASE, wall)
    helper_reports = []

    def stall() -> None:  # the stalled worker's lease runs out; the helper does all the work
        wall.now += LEASE + 1
        helper_reports.append(embed_pending(store, embedder, helper_turn, batch_size=BATCH))

    stalled = embed_pending(store, StallingEmbedder(embedder, stall), stalled_turn,
                            batch_size=BATCH)

    helper, = helper_reports
    assert stalled.lost == 1 and stalled.embedded == 0
    assert helper.embedded == 40 and helper.remaining == 0
    assert store.count_vectors(MODEL) == 40
    assert store.max_vector_seq() == 40  # 40 vectors written in all: none twice
    assert store.embedding_watermark(MODEL) == store.max_change_seq()


def test_the_servers_own_embedding_leaves_a_range_a_worker_holds_to_that_worker(
    open_semantic_app: Callable[..., Papertide], embedder: OnnxEmbedder
) -> None:
    app = open_semantic_app(embedding_batch_size=str(BATCH))
    app.store.upsert_papers(records(40), FIXED_NOW)
    now = time.time()
    held = app.store.claim_embedding_range(MODEL, "worker-host:77:live", now, now + LEASE,
                                           BATCH * 8)
    assert held is not None

    report = app.embed_pending()  # what the server's background thread runs

    assert report.embedded == 40 - held.papers and report.remaining == 40
    assert app.embedding_status().embedded == 0  # the watermark waits for the worker's range
    worker_papers = [paper for paper in app.store.papers_changed_since(0, 40)
                     if paper.change_seq <= held.through_seq]
    vectors = embedder.embed_documents([paper_text(paper) for paper in worker_papers])
    assert app.store.finish_embedding_range(held, [
        NewVector(paper.arxiv_id, text_fingerprint(paper_text(paper)), vectors[i])
        for i, paper in enumerate(worker_papers)], [])
    assert app.store.max_vector_seq() == 40 == app.store.count_vectors(MODEL)
    assert app.store.embedding_watermark(MODEL) == app.store.max_change_seq()


# -- real processes -----------------------------------------------------------------------------


@pytest.fixture
def shared_data(tmp_path: Path, embedder: OnnxEmbedder, models_dir: Path) -> Path:
    """A data dir holding the papers and the session's exported model."""
    embedder.embed_query("make sure the model is exported")
    data_dir = tmp_path / "data"
    exported = export_folder_name("all-MiniLM-L6-v2", "int8")
    (data_dir / "models").mkdir(parents=True)
    (data_dir / "models" / exported).symlink_to(models_dir / exported)
    seed = open_test_app(data_dir)
    try:
        seed.store.upsert_papers(records(), FIXED_NOW)
    finally:
        seed.close()
    return data_dir


def process_environ(data_dir: Path, **settings: str) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith("PAPERTIDE_")}
    environ |= data_dir_environment(data_dir) | {"HF_HUB_OFFLINE": "1"}
    environ |= {f"PAPERTIDE_{name.upper()}": value for name, value in
                {"embedding_batch_size": str(BATCH), "embedding_threads": "1", **settings}.items()}
    return environ


def database_url(data_dir: Path) -> str:
    return data_dir_environment(data_dir).get("PAPERTIDE_DATABASE_URL",
                                              f"sqlite:///{data_dir / 'papertide.db'}")


def claim_as_a_dead_worker(store: Store) -> EmbeddingClaim:
    """The first range, held by a worker that died a while ago (its lease ran out)."""
    long_ago = time.time() - 10 * LEASE
    claim = store.claim_embedding_range(MODEL, "gone-host:4242:dead", long_ago,
                                        long_ago + LEASE, BATCH * 8)
    assert claim is not None
    return claim


def assert_each_paper_embedded_once(store: Store) -> None:
    assert store.count_vectors(MODEL) == PAPERS
    assert store.max_vector_seq() == PAPERS  # every vector written is counted: none twice
    assert store.embedding_watermark(MODEL) == store.max_change_seq()
    assert store.embedding_ranges(MODEL) == []


def test_three_embed_commands_share_the_papers_and_take_over_a_dead_workers_range(
    shared_data: Path,
) -> None:
    store = open_store(database_url(shared_data))
    try:
        dead = claim_as_a_dead_worker(store)
        processes = [subprocess.Popen(
            [sys.executable, "-m", "papertide", "embed"], env=process_environ(shared_data),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL) for _ in range(3)]
        outputs = [process.communicate(timeout=DEADLINE_SECONDS) for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], outputs

        embedded = [int(re.search(r"embedded (\d+) papers", out).group(1))  # type: ignore[union-attr]
                    for out, _ in outputs]
        assert sum(embedded) == PAPERS
        assert_each_paper_embedded_once(store)
        # the dead worker wakes up: its fence is stale, so it stores nothing
        assert not store.finish_embedding_range(dead, [], ["2503.00001"])
        assert store.max_vector_seq() == PAPERS
    finally:
        store.close()


def test_an_embed_process_killed_mid_range_leaves_its_range_to_the_next_run(
    shared_data: Path,
) -> None:
    store = open_store(database_url(shared_data))
    environ = process_environ(shared_data, job_lease_seconds="2")
    victim = subprocess.Popen([sys.executable, "-m", "papertide", "embed"], env=environ,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:  # freeze it the moment it holds a range, then kill it there
            assert victim.poll() is None, "it finished before it could be killed mid-range"
            assert time.monotonic() < deadline
            if held(store):
                victim.send_signal(signal.SIGSTOP)
                if held(store):
                    break
                victim.send_signal(signal.SIGCONT)
        victim.kill()
        victim.wait(60)
        assert store.count_vectors(MODEL) < PAPERS  # its range's vectors were never stored

        outputs: list[str] = []
        while store.embedding_watermark(MODEL) < store.max_change_seq():
            assert time.monotonic() < deadline, outputs
            run = subprocess.run([sys.executable, "-m", "papertide", "embed"], env=environ,
                                 capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                 timeout=DEADLINE_SECONDS)
            assert run.returncode == 0, run.stderr
            outputs.append(run.stdout)

        assert_each_paper_embedded_once(store)
        assert any("1 range of papers taken over" in output for output in outputs), outputs
    finally:
        if victim.poll() is None:
            victim.kill()
        store.close()


def held(store: Store) -> bool:
    return any(state == "claimed" for _, _, state in store.embedding_ranges(MODEL))


def test_worker_processes_join_in_on_an_embed_job_with_nothing_set(
    shared_data: Path, tmp_path: Path
) -> None:
    store = open_store(database_url(shared_data))
    worker_settings = {"schedule_arxiv_rss": "off", "schedule_hf_daily": "off",
                       "schedule_arxiv_oai": "off", "schedule_digests": "false",
                       "job_poll_seconds": "0.2", "contact_email": "tests@example.org"}
    logs = [(tmp_path / f"worker-{number}.log").open("w") for number in range(2)]
    workers = [subprocess.Popen(
        [sys.executable, "-m", "papertide", "worker"],
        env=process_environ(shared_data, **worker_settings), stdout=subprocess.DEVNULL,
        stderr=log, stdin=subprocess.DEVNULL) for log in logs]
    try:
        dead = claim_as_a_dead_worker(store)
        store.enqueue_job(NewJob("embed@test", "embed"), time.time())
        deadline = time.monotonic() + DEADLINE_SECONDS
        while store.embedding_watermark(MODEL) < store.max_change_seq() or busy(store):
            assert time.monotonic() < deadline, store.job_counts()
            assert all(worker.poll() is None for worker in workers)
            time.sleep(0.2)  # waiting on other processes, not synchronising threads
    finally:
        for worker in workers:
            worker.terminate()
        for worker, log in zip(workers, logs, strict=True):
            worker.wait(60)
            log.close()
    try:
        assert_each_paper_embedded_once(store)
        results = [record.result or "" for record in store.job_records(100, kinds=["embed"])]
        assert sum(int(found.group(1)) for result in results
                   if (found := re.search(r"embed: (\d+) papers embedded", result))) == PAPERS
        assert not store.finish_embedding_range(dead, [], [])
    finally:
        store.close()


def busy(store: Store) -> bool:
    counts = store.job_counts()
    return bool(counts.get("queued") or counts.get("running"))
