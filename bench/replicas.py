"""PostgreSQL web hosts with local search replicas against SQLite, in one run.

Three parts, each through papertide's own code:

- ``--scale``: N synthetic papers (``bench/synthetic.py``) with structured vectors
  (mixtures of the bundled sample's real MiniLM vectors) go into SQLite and, through
  a writer that keeps the database's indexes as an importer or worker does, into
  PostgreSQL. A web host opened in this process (``web_host=True``, its own data
  dir) builds its local replicas (timed). Then keyword (natural-language, OR) and
  hybrid p50/p95 on SQLite and on the host's replicas: three passes, each over its
  own queries (the result cache never answers), median of the three; and one pass
  of fewer queries on PostgreSQL's in-database indexes (``search_replicas =
  database``) as the baseline.
- ``--hosts``: two ``papertide serve`` processes on that database, each with its own
  empty data dir: time until each has caught up (``/api/health`` ready), its RSS
  and disk; then the replica lag: a writer stores a paper with a word nobody else
  has, and the time from its commit to both hosts finding it through
  ``/api/search`` (p50/p95/max over ``--lag-papers`` papers).
- ``--quality``: SciFact test nDCG@10 and R@100 in every mode on SQLite, on a
  PostgreSQL host's replicas and on PostgreSQL's in-database indexes (the same
  documents and stored vectors; SciFact is embedded once, into the SQLite instance).

PostgreSQL is a local pgserver (16 + pgvector 0.6) in ``bench/out/pg-replicas``.
The stored papers and vectors are kept (``bench/out/replicas``) and reused by later
runs of the same size; at 1M, prepare both engines at once in two processes, then
measure on a quiet machine (pgvector's graph, for the in-database baseline, takes
hours at that size without ``--no-database-baseline``):

    nice -n 10 .venv/bin/python bench/replicas.py --scale --hosts --quality
    .venv/bin/python bench/replicas.py --papers 1000000 --prepare-sqlite &
    .venv/bin/python bench/replicas.py --papers 1000000 --prepare-postgresql \
        --no-database-baseline
    .venv/bin/python bench/replicas.py --papers 1000000 --scale --no-database-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "retrieval"))

from evaluate import DEFAULT_DATA, load_into, rankings, scores
from evaluate import NOW as SCIFACT_NOW
from ir_collections import load_scifact

from benchlib import (
    OUT_DIR,
    folder_size,
    load_average,
    median,
    percentile,
    postgres_database,
    postgres_server,
    synthetic_file,
    write_json,
)
from papertide.app import Papertide, open_app, utc_now
from papertide.embed.bundle import read_bundle
from papertide.models import PaperRecord
from papertide.search.hybrid import SearchMode
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.store.vectors import NewVector
from queries import realistic_queries
from semantic_latency import structured_vectors

PG_DIR = OUT_DIR / "pg-replicas"
WORK = OUT_DIR / "replicas"
SAMPLE_VECTORS = Path(__file__).resolve().parents[1] / "src" / "papertide" / "data" / \
    "sample_vectors.npz"
SAVE_BATCH = 20_000
PASSES = 3
HOST_START_SECONDS = 3_600.0
LAG_DEADLINE_SECONDS = 120.0
POLL_SECONDS = 0.02
PREPARED = "prepared.json"  # written once a folder's papers and vectors are all stored


@contextmanager
def opened(data_dir: Path, url: str | None = None, web_host: bool = False,
           clock: Callable[[], Any] = utc_now) -> Iterator[Papertide]:
    settings = Settings(data_dir=data_dir)
    if url is not None:
        settings = settings.with_overrides(database_url=url)
    app = open_app(settings, clock=clock, web_host=web_host)
    try:
        yield app
    finally:
        app.close()


def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def store_structured_vectors(app: Papertide, base: np.ndarray[Any, Any]) -> float:
    """Every paper a synthetic vector of the default model (seed fixed: the same on both
    engines); the embedding watermark moves past them, so nothing re-embeds them."""
    ids = sorted(paper.arxiv_id for paper in app.store.iter_all_papers())
    vectors = structured_vectors(base, len(ids), np.random.default_rng(1))
    model = app.semantic.model_name
    watermark = app.store.max_change_seq()
    started = time.perf_counter()
    for start in range(0, len(ids), SAVE_BATCH):
        app.store.save_vectors(model, [NewVector(arxiv_id, "synthetic", vectors[start + i])
                                       for i, arxiv_id in enumerate(ids[start:start + SAVE_BATCH])],
                               [], watermark)
    return time.perf_counter() - started


def catch_up(host: Papertide) -> float:
    """Build a host's replicas as its follower does; seconds taken."""
    started = time.perf_counter()
    host.sync_search_index()
    host.semantic.follow_stored_vectors()
    assert not host.search_index_lag().catching_up, host.search_index_lag()
    return time.perf_counter() - started


def timings(app: Papertide, mode: SearchMode, texts: list[str]) -> dict[str, float]:
    spent = []
    for text in texts:
        started = time.perf_counter()
        found = app.search(text, mode=mode)
        spent.append((time.perf_counter() - started) * 1000)
        assert found.mode == mode or mode == "keyword", found.fallback
    return {"p50_ms": percentile(spent, 50), "p95_ms": percentile(spent, 95)}


def latencies(app: Papertide, query_count: int, passes: int) -> dict[str, Any]:
    """Median over ``passes`` passes, each over queries of its own seed."""
    app.search("warm up", mode="hybrid")
    found: dict[str, Any] = {"load": load_average()}
    modes: tuple[SearchMode, ...] = ("keyword", "hybrid")
    for mode in modes:
        runs = [timings(app, mode, realistic_queries(query_count, seed=11 + run))
                for run in range(passes)]
        found[mode] = {"p50_ms": median([run["p50_ms"] for run in runs]),
                       "p95_ms": median([run["p95_ms"] for run in runs]),
                       "p95_runs": [round(run["p95_ms"], 1) for run in runs]}
        print(f"  {mode}: {found[mode]}", file=sys.stderr)
    found["load_after"] = load_average()
    return found


def database_sizes(store: Store) -> dict[str, int]:
    with store.borrow() as connection:  # type: ignore[attr-defined]
        total = connection.raw.execute("SELECT pg_database_size(current_database())").fetchone()
        tables = connection.raw.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "ORDER BY 2 DESC LIMIT 6").fetchall()
    return {"database": int(total[0]), **{str(name): int(size) for name, size in tables}}


def prepared(folder: Path) -> dict[str, Any] | None:
    """The figures of an earlier preparation of ``folder``, if it finished."""
    marker = folder / PREPARED
    return json.loads(marker.read_text()) if marker.exists() else None


def prepare_sqlite(papers: int) -> tuple[Path, dict[str, Any]]:
    """N synthetic papers with their vectors in SQLite (kept for later runs)."""
    sqlite_dir = WORK / f"sqlite-{papers}"
    if (done := prepared(sqlite_dir)) is not None:
        return sqlite_dir, done
    source_file, _, _ = synthetic_file(papers, 1, OUT_DIR)
    base = read_bundle(SAMPLE_VECTORS).vectors.astype(np.float32)
    figures: dict[str, Any] = {"load": load_average()}
    with opened(fresh(sqlite_dir)) as app:
        started = time.perf_counter()
        app.import_files([source_file])
        figures["sqlite_import_s"] = time.perf_counter() - started
        store_structured_vectors(app, base)
        started = time.perf_counter()
        app.sync_vector_index()
        figures["sqlite_vector_index_s"] = time.perf_counter() - started
        print(f"sqlite: {app.store.count_papers():,} papers", file=sys.stderr)
    (sqlite_dir / PREPARED).write_text(json.dumps(figures))
    return sqlite_dir, figures


def prepare_postgresql(admin_url: str, papers: int, graph: bool) -> tuple[str, dict[str, Any]]:
    """The same papers and vectors in PostgreSQL, written as an importer does (kept for
    later runs); ``graph`` also builds pgvector's HNSW graph for the in-database baseline."""
    writer_dir = WORK / f"pg-writer-{papers}"
    name = f"replicas_{papers}"
    done = prepared(writer_dir)
    url = postgres_database(admin_url, name, fresh=done is None)
    if done is None:
        source_file, _, _ = synthetic_file(papers, 1, OUT_DIR)
        base = read_bundle(SAMPLE_VECTORS).vectors.astype(np.float32)
        done = {"load": load_average()}
        with opened(fresh(writer_dir), url) as writer:
            started = time.perf_counter()
            writer.import_files([source_file])
            done["pg_import_s"] = time.perf_counter() - started
            store_structured_vectors(writer, base)
            done["pg_sizes"] = database_sizes(writer.store)
        (writer_dir / PREPARED).write_text(json.dumps(done))
    if graph and "pgvector_index_s" not in done:
        with opened(writer_dir, url) as writer:
            started = time.perf_counter()
            writer.sync_vector_index()
            done["pgvector_index_s"] = time.perf_counter() - started
            done["pg_sizes"] = database_sizes(writer.store)
        (writer_dir / PREPARED).write_text(json.dumps(done))
    print(f"postgresql: {done['pg_sizes']['database'] / 1e6:.0f} MB", file=sys.stderr)
    return url, done


def scale(admin_url: str, papers: int, query_count: int, baseline: bool) -> dict[str, Any]:
    """Latency on SQLite and on a new PostgreSQL host's replicas, in one run
    (``baseline``: also on PostgreSQL's in-database indexes)."""
    result: dict[str, Any] = {"papers": papers}
    sqlite_dir, result["sqlite_prepared"] = prepare_sqlite(papers)
    url, result["pg_prepared"] = prepare_postgresql(admin_url, papers, graph=baseline)
    with opened(sqlite_dir) as app:
        result["sqlite"] = latencies(app, query_count, PASSES)
    host_dir = fresh(WORK / f"pg-host-{papers}")
    with opened(host_dir, url, web_host=True) as host:
        result["host_load"] = load_average()
        result["host_catch_up_s"] = catch_up(host)
        result["host_disk"] = {name: folder_size(host_dir / name)
                               for name in ("search-index", "vector-index", "vector-labels")}
        print(f"host caught up in {result['host_catch_up_s']:.0f} s", file=sys.stderr)
        result["postgresql_replicas"] = latencies(host, query_count, PASSES)
    if baseline:
        with opened(WORK / f"pg-writer-{papers}", url) as writer:
            result["postgresql_database"] = latencies(writer, max(query_count // 3, 20), 1)
    result["database_url"] = url
    return result


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read().decode())


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def served_host(url: str, data_dir: Path, models: Path | None
                ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``papertide serve`` on a loopback port with its own (empty) data dir."""
    fresh(data_dir)
    if models is not None and models.exists():  # the exported model, not exported again
        shutil.copytree(models, data_dir / "models")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERTIDE_")}
    env.update({"PAPERTIDE_DATA_DIR": str(data_dir), "PAPERTIDE_DATABASE_URL": url})
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(60)


def wait_ready(base: str, process: subprocess.Popen[bytes], started: float) -> float:
    while True:
        assert process.poll() is None, "a host exited"
        try:
            if get_json(base + "/api/health")["search_index"] == "ready":
                return time.perf_counter() - started
        except OSError:
            pass
        assert time.perf_counter() - started < HOST_START_SECONDS, "a host never caught up"
        time.sleep(0.5)


def hosts(url: str, lag_papers: int, models: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {"load": load_average()}
    with ExitStack() as stack:
        started = time.perf_counter()
        running = [stack.enter_context(served_host(url, WORK / f"serve-{number}", models))
                   for number in (1, 2)]
        result["catch_up_s"] = [wait_ready(base, process, started) for base, process in running]
        for base, _ in running:  # the model loaded, as after a first search
            get_json(base + "/api/search?q=warm+up&mode=hybrid")
        result["rss_mb"] = [rss_mb(process.pid) for _, process in running]
        result["disk"] = [{name: folder_size(WORK / f"serve-{number}" / name)
                           for name in ("search-index", "vector-index", "vector-labels")}
                          for number in (1, 2)]
        print(f"hosts: {result}", file=sys.stderr)
        result["lag"] = lag(url, [base for base, _ in running], lag_papers)
        result["load_after"] = load_average()
    return result


def lag(url: str, bases: list[str], count: int) -> dict[str, Any]:
    """Seconds from a writer's commit of a paper to every host finding it."""
    spent: list[float] = []
    with opened(WORK / "lag-writer", url) as writer:
        for number in range(count):
            word = f"zqx{number:04d}lagword"
            record = PaperRecord(arxiv_id=f"2612.{90000 + number:05d}", source="bench",
                                 title=f"A {word} paper", abstract=f"About {word}.",
                                 announced_date=utc_now().date())
            writer.store.upsert_papers([record], utc_now())
            committed = time.perf_counter()
            waiting = set(bases)
            while waiting:
                for base in list(waiting):
                    found = get_json(f"{base}/api/search?q={word}&mode=keyword")
                    if found["total"]:
                        waiting.discard(base)
                assert time.perf_counter() - committed < LAG_DEADLINE_SECONDS, "never found"
                if waiting:
                    time.sleep(POLL_SECONDS)
            spent.append(time.perf_counter() - committed)
            writer.sync_search_index()  # as a worker does (the database's own index)
    figures = {"papers": count, "p50_s": percentile(spent, 50), "p95_s": percentile(spent, 95),
               "max_s": max(spent)}
    print(f"lag: {figures}", file=sys.stderr)
    return figures


def copy_vectors(source: Store, target: Store, model: str) -> None:
    seq = 0
    while batch := source.vectors_changed_since(seq, model, 5_000):
        prints = source.vector_fingerprints([item.arxiv_id for item in batch], model)
        target.save_vectors(model, [NewVector(item.arxiv_id, prints[item.arxiv_id], item.vector)
                                    for item in batch], [], target.max_change_seq())
        seq = batch[-1].vector_seq


def quality(admin_url: str) -> list[dict[str, Any]]:
    collection = load_scifact(DEFAULT_DATA / "scifact")
    judged = collection.judgments["test"]
    queries = {q: collection.queries[q] for q in judged if q in collection.queries}
    rows: list[dict[str, Any]] = []

    def measure(engine: str, app: Papertide, ids: dict[str, str]) -> None:
        modes: tuple[SearchMode, ...] = ("keyword", "semantic", "hybrid")
        for mode in modes:
            ndcg, recall = scores(rankings(app, queries, ids, mode), judged)
            rows.append({"engine": engine, "mode": mode, "ndcg10": ndcg, "recall100": recall})
            print(f"{engine} {mode}: nDCG@10 {ndcg:.3f} R@100 {recall:.3f}", file=sys.stderr)

    clock = lambda: SCIFACT_NOW  # noqa: E731
    url = postgres_database(admin_url, "scifact_replicas")
    with opened(WORK / "scifact-sqlite", clock=clock) as sqlite_app, \
            opened(fresh(WORK / "scifact-pg-writer"), url, clock=clock) as writer:
        ids = load_into(sqlite_app, collection)  # embeds once; later runs reuse the vectors
        measure("sqlite", sqlite_app, ids)
        records = [PaperRecord(arxiv_id=paper_id, title=(document.title or document.text[:80]),
                               source="bench", abstract=document.text,
                               announced_date=SCIFACT_NOW.date())
                   for (paper_id, _), document in zip(ids.items(), collection.documents,
                                                      strict=True)]
        for start in range(0, len(records), 2_000):
            writer.store.upsert_papers(records[start:start + 2_000], SCIFACT_NOW)
        copy_vectors(sqlite_app.store, writer.store, sqlite_app.semantic.model_name)
        writer.sync_search_index()
        writer.sync_vector_index()
        measure("postgresql database", writer, ids)
        with opened(fresh(WORK / "scifact-pg-host"), url, web_host=True, clock=clock) as host:
            catch_up(host)
            measure("postgresql replicas", host, ids)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--hosts", action="store_true",
                        help="two served hosts on the prepared database (prepared if need be)")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--lag-papers", type=int, default=25)
    parser.add_argument("--no-database-baseline", action="store_true",
                        help="skip pgvector's graph and the in-database latency (slow at 1M)")
    parser.add_argument("--prepare-sqlite", action="store_true",
                        help="only store the SQLite papers and vectors (no PostgreSQL), so "
                             "another process can prepare PostgreSQL's at the same time")
    parser.add_argument("--prepare-postgresql", action="store_true",
                        help="only store the PostgreSQL papers and vectors")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "replicas.json")
    args = parser.parse_args()
    results: dict[str, Any] = {"cpu": _cpu(), "load_start": load_average()}
    WORK.mkdir(parents=True, exist_ok=True)
    if args.prepare_sqlite:
        print(json.dumps(prepare_sqlite(args.papers)[1], indent=2))
        return
    with postgres_server(PG_DIR) as admin_url:
        if args.prepare_postgresql:
            _, figures = prepare_postgresql(admin_url, args.papers,
                                            graph=not args.no_database_baseline)
            print(json.dumps(figures, indent=2))
            return
        if args.quality:
            results["quality"] = quality(admin_url)
        if args.scale:
            results["scale"] = scale(admin_url, args.papers, args.queries,
                                     baseline=not args.no_database_baseline)
        if args.hosts:
            url = (results["scale"]["database_url"] if args.scale
                   else prepare_postgresql(admin_url, args.papers, graph=False)[0])
            results["hosts"] = hosts(url, args.lag_papers,
                                     WORK / f"sqlite-{args.papers}" / "models")
    write_json(args.out, results)
    print(json.dumps(results, indent=2, default=str))


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
