"""Semantic and hybrid search speed at 100k and 1M papers, as served.

For each size: a papertide instance with that many synthetic papers (see
``synthetic.py``; imported through ``Papertide.import_files``, or copied
from an instance imported earlier with ``--seed-from``), vectors stored
through the store, the vector index rebuilt through the service (timed, with
its memory), then queries one at a time through ``Papertide.search``:
keyword, semantic, hybrid (the realistic 2-6 word queries of ``queries.py``,
the same generator as the keyword benchmark), hybrid with whole paper titles
as queries, and hybrid with a ``cat:`` filter. No query is asked twice, so
the timings include embedding the query. Wall time suffers from whatever
else runs on the machine; CPU time (all threads of the process) is shown
beside it. Also: ANN recall@10 against exact search (per HNSW beam width),
index build time and memory, and embedding throughput.

Vectors must look like real embeddings, or ANN recall means nothing: each
synthetic paper gets a normalised mixture of two real abstract embeddings
(of the bundled sample, embedded by the real model) plus Gaussian noise.

    nice -n 10 .venv/bin/python bench/semantic_latency.py --papers 100000,1000000
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchlib import (
    OUT_DIR,
    Stopwatch,
    Table,
    database_path,
    folder_size,
    median,
    megabytes,
    opened_app,
    percentile,
    sample_path,
    synthetic_file,
    write_json,
)
from papertide.app import Papertide
from papertide.embed.base import Embedder
from papertide.search.faiss_index import FaissVectorIndex
from papertide.search.hybrid import SearchMode
from papertide.search.query import MAX_LONG_QUERY_CHARS, parse_query
from papertide.search.semantic import meaning_text
from papertide.store.vectors import NewVector
from queries import realistic_queries

SEED = 1
BASE_ABSTRACTS = 2_000
THROUGHPUT_DOCS = 512
QUERIES = 200
WARMUP = 20
NOISE = 0.35
EF_SEARCH_SWEEP = (64, 128, 256)
_SYNTAX = re.compile(r'["*:]|(?:(?<=\s)|^)[+-]')
SAVE_BATCH = 20_000
PASTED_WORDS = 250
Matrix = npt.NDArray[np.float32]


def sample_texts() -> tuple[list[str], list[str]]:
    """Real abstracts (to embed) and real titles (to ask), from the bundled sample."""
    abstracts, titles = [], []
    with sample_path() as path, gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("abstract"):
                abstracts.append(f"{row['title']}. {row['abstract']}")
            # plain words: a title like "Foo: Bar" would otherwise be query syntax
            titles.append(" ".join(_SYNTAX.sub(" ", str(row["title"])).split()))
    return abstracts, titles


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def throughput(embedder: Embedder, abstracts: Sequence[str], runs: int) -> dict[str, Any]:
    """Documents per second, ``runs`` times: wall time, CPU time and the load beside each.

    On a shared machine wall time follows other people's load; CPU seconds per
    document (all threads of this process) is the work itself, and ``cores``
    divided by it is what the otherwise idle machine would do.
    """
    docs = list(abstracts[::max(len(abstracts) // THROUGHPUT_DOCS, 1)][:THROUGHPUT_DOCS])
    embedder.embed_documents(docs[:32])
    cores = len(os.sched_getaffinity(0))
    measured = []
    for _ in range(runs):
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        embedder.embed_documents(docs)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        measured.append({"docs_per_s": len(docs) / wall, "cpu_ms_per_doc": 1000 * cpu / len(docs),
                         "docs_per_s_all_cores_idle": len(docs) / cpu * cores,
                         "load_before": load, "load_after": os.getloadavg()[0]})
        print(f"embedding run: {measured[-1]['docs_per_s']:.1f} docs/s wall, "
              f"{measured[-1]['cpu_ms_per_doc']:.1f} ms CPU a doc, load {load:.2f} -> "
              f"{measured[-1]['load_after']:.2f}", file=sys.stderr, flush=True)
    single = []
    for i in range(50):
        started = time.perf_counter()
        embedder.embed_query(f"query number {i} about sparse attention for long documents")
        single.append((time.perf_counter() - started) * 1000)
    words = sum(len(doc.split()) for doc in docs) / len(docs)
    return {**{key: median([run[key] for run in measured]) for key in measured[0]},
            "runs": measured, "docs": len(docs), "words_per_doc": words, "cores": cores,
            "query_ms_p50": percentile(single, 50)}


def structured_vectors(base: Matrix, count: int, rng: np.random.Generator) -> Matrix:
    first = rng.integers(0, len(base), count)
    second = rng.integers(0, len(base), count)
    weight = rng.uniform(0.3, 0.7, (count, 1)).astype(np.float32)
    mixed = weight * base[first] + (1 - weight) * base[second]
    mixed += rng.normal(0, NOISE / np.sqrt(base.shape[1]), mixed.shape).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    # what the store keeps (float16), so that exact answers match the index's
    return mixed.astype(np.float16).astype(np.float32)


def store_vectors(app: Papertide, base: Matrix) -> tuple[list[str], Matrix, float]:
    connection = sqlite3.connect(database_path(app.settings.data_dir))
    try:
        ids = [row[0] for row in connection.execute("SELECT arxiv_id FROM papers ORDER BY rowid")]
    finally:
        connection.close()
    rng = np.random.default_rng(SEED)
    vectors = structured_vectors(base, len(ids), rng)
    model = app.semantic.model_name
    watermark = app.store.max_change_seq()
    with Stopwatch() as watch:
        if app.store.count_vectors(model) < len(ids):
            for start in range(0, len(ids), SAVE_BATCH):
                chunk = [NewVector(arxiv_id, "synthetic", vectors[start + i])
                         for i, arxiv_id in enumerate(ids[start:start + SAVE_BATCH])]
                app.store.save_vectors(model, chunk, [], watermark)
    return ids, vectors, watch.seconds


def prepare(size: int, work: Path, seed_from: Path | None) -> Path:
    data_dir = work / f"data-{size}"
    if database_path(data_dir).exists():
        return data_dir
    if seed_from is not None:
        print(f"copying {seed_from} ...", file=sys.stderr)
        shutil.copytree(seed_from, data_dir, ignore=shutil.ignore_patterns("vector-index",
                                                                           "models"))
        return data_dir
    path, _, _ = synthetic_file(size, SEED, OUT_DIR)
    with opened_app(data_dir) as app:
        print(f"importing {size:,} papers ...", file=sys.stderr)
        app.import_files([path])
    return data_dir


def pasted_abstracts(abstracts: Sequence[str], count: int, words: int = PASTED_WORDS) -> list[str]:
    """``count`` texts of ``words`` words, as someone pastes an abstract (two run together
    when one is shorter), plain words only."""
    plain = [_SYNTAX.sub(" ", text).split() for text in abstracts]
    texts = []
    for i in range(count):
        joined = plain[(2 * i) % len(plain)] + plain[(2 * i + 1) % len(plain)]
        texts.append(" ".join(joined[:words]))
    return texts


def timed_search(app: Papertide, text: str, mode: SearchMode) -> tuple[float, float]:
    """Wall and CPU milliseconds of one search (CPU: all threads of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    results = app.search(text, page_size=20, mode=mode, max_chars=MAX_LONG_QUERY_CHARS)
    elapsed = (time.perf_counter() - started) * 1000
    cpu_ms = (time.process_time() - cpu) * 1000
    if results.mode != mode:
        raise SystemExit(f"{mode} fell back to {results.mode}: {results.fallback}")
    return elapsed, cpu_ms


def measure(size: int, work: Path, seed_from: Path | None, base: Matrix,
            titles: list[str], reuse_index: bool, recall: bool = True,
            pasted: Sequence[str] = ()) -> dict[str, Any]:
    data_dir = prepare(size, work, seed_from)
    exported = work / "embedder" / "models"
    if not (data_dir / "models").exists():
        shutil.copytree(exported, data_dir / "models", ignore=shutil.ignore_patterns("*.lock"))
    figures: dict[str, Any] = {"papers": size}
    with opened_app(data_dir) as app:
        app.semantic.embedder.embed_query("warm up the model")
        ids, vectors, seconds = store_vectors(app, base)
        figures["store_vectors_s"] = seconds
        before = rss_mb()
        reused = reuse_index and (app.settings.vector_index_dir / "state.json").exists()
        if not reused:  # opening the index builds it from the database: build it once
            shutil.rmtree(app.settings.vector_index_dir, ignore_errors=True)
        with Stopwatch() as watch:
            app.sync_vector_index()
        figures["index_build_s"] = None if reused else watch.seconds
        figures["index_vectors"] = app.semantic.index.count()
        figures["index_rss_mb"] = rss_mb() - before
        figures["index_disk_mb"] = folder_size(app.settings.vector_index_dir) / 1e6
        figures["database_mb"] = database_path(data_dir).stat().st_size / 1e6
        rng = random.Random(SEED)
        asked = rng.sample(titles, WARMUP + 2 * QUERIES)
        typed = [query for query in realistic_queries(6 * QUERIES, SEED)
                 if any(ch.isalnum() for ch in meaning_text(parse_query(query)))]
        for text in asked[:WARMUP]:
            for mode in ("keyword", "semantic", "hybrid"):
                timed_search(app, text, mode)
        asked = asked[WARMUP:]
        load_before = os.getloadavg()[0]
        timings: dict[str, list[tuple[float, float]]] = {
            "keyword": [], "semantic": [], "hybrid": [], "hybrid, whole titles": [],
            "hybrid + cat:cs.CV": [], f"hybrid, {PASTED_WORDS}-word abstracts": [],
            f"keyword, {PASTED_WORDS}-word abstracts": []}
        for i in range(QUERIES):
            timings["keyword"].append(timed_search(app, typed[3 * i], "keyword"))
            timings["semantic"].append(timed_search(app, typed[3 * i + 1], "semantic"))
            timings["hybrid"].append(timed_search(app, typed[3 * i + 2], "hybrid"))
            timings["hybrid, whole titles"].append(timed_search(app, asked[2 * i], "hybrid"))
            timings["hybrid + cat:cs.CV"].append(
                timed_search(app, asked[2 * i + 1] + " cat:cs.CV", "hybrid"))
            if 2 * i + 1 < len(pasted):
                timings[f"hybrid, {PASTED_WORDS}-word abstracts"].append(
                    timed_search(app, pasted[2 * i], "hybrid"))
                timings[f"keyword, {PASTED_WORDS}-word abstracts"].append(
                    timed_search(app, pasted[2 * i + 1], "keyword"))
        figures["latency_ms"] = {
            mode: {f"{kind}_{name}": percentile([pair[column] for pair in values], share)
                   for column, kind in ((0, "wall"), (1, "cpu"))
                   for name, share in (("p50", 50), ("p95", 95), ("p99", 99))}
            for mode, values in timings.items()}
        figures["load_average"] = [load_before, os.getloadavg()[0]]
        figures["recall_at_10"] = {}
        if not recall:
            return figures
        index = app.semantic.index
        default_ef = index.ef_search if isinstance(index, FaissVectorIndex) else 0
        for ef in EF_SEARCH_SWEEP:
            if isinstance(index, FaissVectorIndex):
                index.ef_search = ef
            figures["recall_at_10"][ef] = ann_recall(app, ids, vectors, asked[:QUERIES])
        if isinstance(index, FaissVectorIndex):
            index.ef_search = default_ef
    return figures


def ann_recall(app: Papertide, ids: list[str], vectors: Matrix, texts: list[str]) -> float:
    """Share of the exact top 10 that semantic search returns, over real queries."""
    found = 0
    for text in texts:
        query = app.semantic.embedder.embed_query(meaning_text(parse_query(text)))
        exact = np.argpartition(-(vectors @ query), 10)[:10]
        served = app.search(text, page_size=10, mode="semantic")
        found += len({ids[i] for i in exact} & {paper.arxiv_id for paper in served.page.papers})
    return found / (10 * len(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", default="100000,1000000")
    parser.add_argument("--work", type=Path, default=OUT_DIR / "semantic")
    parser.add_argument("--seed-from", action="append", default=[],
                        help="SIZE=DIR: copy an already imported data dir for that size")
    parser.add_argument("--json", type=Path, help="also save the raw figures here")
    parser.add_argument("--reuse-index", action="store_true",
                        help="load a vector index saved by an earlier run instead of rebuilding")
    parser.add_argument("--throughput-runs", type=int, default=1,
                        help="embedding throughput runs (median reported; 1; 0: none)")
    parser.add_argument("--skip-recall", action="store_true",
                        help="leave out the ANN recall sweep (latency only)")
    parser.add_argument("--throughput-only", action="store_true",
                        help="only measure embedding throughput, no search")
    args = parser.parse_args()
    seeds = {int(item.split("=", 1)[0]): Path(item.split("=", 1)[1]) for item in args.seed_from}
    sizes = [int(size) for size in args.papers.split(",")]
    abstracts, titles = sample_texts()
    args.work.mkdir(parents=True, exist_ok=True)
    base_file = args.work / f"base-{BASE_ABSTRACTS}.npy"
    speed: dict[str, Any] = {}
    with opened_app(args.work / "embedder") as app:
        embedder = app.semantic.embedder
        if args.throughput_runs > 0:
            speed = throughput(embedder, abstracts, args.throughput_runs)
            print(f"embedding ({speed['docs']} docs of {speed['words_per_doc']:.0f} words, "
                  f"median of {args.throughput_runs}): {speed['docs_per_s']:.1f} docs/s wall, "
                  f"{speed['cpu_ms_per_doc']:.1f} ms CPU a doc = "
                  f"{speed['docs_per_s_all_cores_idle']:.1f} docs/s on {speed['cores']} idle "
                  f"cores, query {speed['query_ms_p50']:.1f} ms", file=sys.stderr)
        if args.throughput_only:
            write_json(args.json, {"embedding": speed})
            return
        if base_file.exists():  # the same abstracts, embedded by an earlier run
            base = np.load(base_file)
        else:
            base = embedder.embed_documents(abstracts[:BASE_ABSTRACTS])
            np.save(base_file, base)
    pasted = pasted_abstracts(abstracts[BASE_ABSTRACTS:], 2 * QUERIES)
    results = [measure(size, args.work, seeds.get(size), base, titles, args.reuse_index,
                       recall=not args.skip_recall, pasted=pasted) for size in sizes]
    rows = []
    for figures in results:
        for mode, values in figures["latency_ms"].items():
            rows.append((f"{figures['papers']:,}", mode, *(
                f"{values[key]:.1f}" for key in ("wall_p50", "wall_p95", "wall_p99",
                                                  "cpu_p50", "cpu_p95"))))
    loads = "; ".join(f"{f['papers']:,}: {f['load_average'][0]:.1f} -> {f['load_average'][1]:.1f}"
                      for f in results)
    print(Table(f"Query latency, server side incl. query embedding (ms, one at a time; "
                f"load average {loads})",
                ("papers", "mode", "wall p50", "wall p95", "wall p99", "CPU p50", "CPU p95"),
                tuple(rows)).render())
    print(Table("Vector index", ("papers", "build", "RAM", "disk",
                                 *(f"recall@10 ef {ef}" for ef in EF_SEARCH_SWEEP)), tuple(
        (f"{f['papers']:,}",
         "loaded" if f["index_build_s"] is None else f"{f['index_build_s']:.0f} s",
         megabytes(f["index_rss_mb"] * 1e6), megabytes(f["index_disk_mb"] * 1e6),
         *(f"{f['recall_at_10'][ef]:.3f}" if f["recall_at_10"] else "-"
           for ef in EF_SEARCH_SWEEP)) for f in results
    )).render())
    if speed:
        print(f"embedding throughput: {speed['docs_per_s']:.1f} docs/s measured "
              f"({speed['docs_per_s_all_cores_idle']:.1f} docs/s on otherwise idle cores), "
              f"one query {speed['query_ms_p50']:.1f} ms")
    write_json(args.json, {"embedding": speed, "sizes": results})


if __name__ == "__main__":
    main()
