"""How fast recommendations are: many people at once, and one For-you page view.

1. Ranking: 10,000 people over a week of 20,000 new papers (target: <= 60 s on
   2 cores), through ``papertide.recommend.ranker`` (train, then ``rank_many``).
2. The For-you page over HTTP on a real papertide (SQLite, the web app): the
   first view of each person trains and caches; later views (target: p95 <=
   50 ms) only check that the profile and the window are unchanged.

Vectors have real structure: embeddings of featured papers (see featured.py),
each new paper a real one plus noise, each profile papers near one or two
real topics.

    python bench/recommend/speed.py [--data FILE] [--work DIR] [--users 10000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the sibling modules importable as the ``recommend`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import datetime as dt
import math
import multiprocessing
import os
import sys
import tempfile
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import numpy as np
import numpy.typing as npt
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_limits

from papertide.app import open_app
from papertide.models import PaperRecord
from papertide.recommend.ranker import RankerParams, Stream, rank_many, train
from papertide.settings import load_settings
from papertide.store.vectors import NewVector
from papertide.web import create_web_app
from recommend.featured import DEFAULT_DATA, DEFAULT_WORK, embeddings, load_featured

Matrix = npt.NDArray[np.float32]
NOISE = 0.35


def noisy(base: Matrix, rows: npt.NDArray[np.int64], generator: np.random.Generator) -> Matrix:
    """Real vectors plus Gaussian noise, back on the unit sphere."""
    mixed = base[rows] + generator.normal(0, NOISE / math.sqrt(base.shape[1]),
                                          (len(rows), base.shape[1]))
    return np.asarray(mixed / np.linalg.norm(mixed, axis=1, keepdims=True), dtype=np.float32)


def profiles(base: Matrix, users: int, generator: np.random.Generator) -> list[Matrix]:
    """Each person: 10 to 100 papers near one or two real papers' neighbourhoods."""
    found: list[Matrix] = []
    for _ in range(users):
        anchors = generator.choice(len(base), size=generator.integers(1, 3), replace=False)
        size = int(generator.integers(10, 101))
        near = np.concatenate([np.argsort(-(base @ base[anchor]))[:200] for anchor in anchors])
        found.append(noisy(base, generator.choice(near, size), generator))
    return found


def _rank_share(base: Matrix, candidates: Matrix, users: int, seed: int,
                barrier: Barrier, results: Queue[tuple[int, float]]) -> None:
    """One worker: build its people (untimed), wait for the other, then train and rank.

    BLAS runs single-threaded: with two processes on two cores, threaded small
    matrix products spend most of their time handing work between threads.
    """
    with threadpool_limits(1):
        people = profiles(base, users, np.random.default_rng(seed))
        barrier.wait()
        started = time.perf_counter()
        params = RankerParams()
        stream = Stream.fit(candidates, params)
        empty = candidates[:0]
        models = [train(profile, empty, stream) for profile in people]
        ranked = rank_many(candidates, models, params, 30)
        elapsed = time.perf_counter() - started
    assert all(len(picks) == 30 for picks in ranked)
    results.put((len(ranked), elapsed))


def ranking(base: Matrix, users: int, papers: int, seed: int, workers: int) -> dict[str, float]:
    """Wall time of the slowest worker, from the moment all start ranking."""
    generator = np.random.default_rng(seed)
    candidates = noisy(base, generator.integers(0, len(base), papers), generator)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Queue[tuple[int, float]] = context.Queue()
    shares = [users // workers + (1 if number < users % workers else 0)
              for number in range(workers)]
    processes = [context.Process(target=_rank_share, args=(base, candidates, share,
                                                           seed + number + 1, barrier, results))
                 for number, share in enumerate(shares)]
    for process in processes:
        process.start()
    finished = [results.get() for _ in processes]
    for process in processes:
        process.join()
    assert sum(done for done, _ in finished) == users
    return {"total": max(elapsed for _, elapsed in finished)}


def page_views(base: Matrix, papers: int, users: int, views: int, seed: int) -> dict[str, float]:
    generator = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(environ={"PAPERTIDE_DATA_DIR": folder,
                                          "PAPERTIDE_TOPICS_REFRESH_MINUTES": "0"})
        service = open_app(settings)
        try:
            monday = dt.date(2026, 3, 2)
            records = [PaperRecord(arxiv_id=f"2603.{i:05d}", title=f"Paper {i}",
                                   abstract="An abstract.", source="bench",
                                   categories=("cs.LG",), primary_category="cs.LG",
                                   announced_date=monday + dt.timedelta(days=i % 7))
                       for i in range(papers)]
            library = [PaperRecord(arxiv_id=f"2501.{i:05d}", title=f"Old paper {i}",
                                   source="bench", announced_date=dt.date(2025, 1, 6))
                       for i in range(users * 30)]
            now = dt.datetime.now(dt.UTC)
            service.store.upsert_papers(records + library, now)
            model = service.semantic.model_name
            rows = generator.integers(0, len(base), papers)
            vectors = noisy(base, rows, generator)
            old = np.concatenate(profiles(base, users, generator))[:len(library)]
            service.store.save_vectors(model, [
                NewVector(record.arxiv_id, "bench", vector)
                for record, vector in zip(records + library[:len(old)],
                                          np.concatenate([vectors, old]), strict=True)], [], 0)
            accounts = service.community.accounts
            cookies: list[str] = []
            for user_number in range(users):
                email = f"reader{user_number}@example.org"
                user, _ = accounts.add_user(email, admin=False)
                for arxiv_id in [f"2501.{user_number * 30 + i:05d}" for i in range(30)]:
                    service.store.save_paper(user.id, arxiv_id, [], now)
                link = accounts.sign_in_link(email)
                cookies.append(accounts.complete_sign_in(link.split("token=")[1]).cookie)
            with TestClient(create_web_app(service), base_url="https://bench.example") as client:
                first: list[float] = []
                later: list[float] = []
                for round_number in range(views):
                    for cookie in cookies:
                        client.cookies.set("papertide_session", cookie)
                        started = time.perf_counter()
                        response = client.get("/for-you")
                        elapsed = time.perf_counter() - started
                        assert response.status_code == 200 and "pick-why" in response.text
                        (first if round_number == 0 else later).append(elapsed)
        finally:
            service.close()
    later.sort()
    return {"first_median": float(np.median(first)), "p50": later[len(later) // 2],
            "p95": later[max(math.ceil(0.95 * len(later)) - 1, 0)], "views": len(later)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--page-users", type=int, default=40)
    parser.add_argument("--page-views", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.data.exists():
        sys.exit(f"no data file at {args.data}: pass --data")
    base = embeddings(load_featured(args.data), args.work)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    ranked = ranking(base, args.users, args.papers, args.seed, args.workers)
    print(f"ranking {args.users:,} people over {args.papers:,} new papers in {args.workers} "
          f"processes: {ranked['total']:.1f} s wall, training included (target <= 60 s)")
    viewed = page_views(base, args.papers, args.page_users, args.page_views, args.seed)
    print(f"For-you page, {args.papers:,} papers in the window: first view "
          f"{viewed['first_median'] * 1000:.0f} ms (median, trains and caches); cached views "
          f"p50 {viewed['p50'] * 1000:.1f} ms, p95 {viewed['p95'] * 1000:.1f} ms over "
          f"{viewed['views']:,} views (target p95 <= 50 ms)")


if __name__ == "__main__":
    main()
