"""SQLite (tantivy + faiss) against PostgreSQL (tsvector BM25 + pgvector), side by side.

Three parts, each through papertide's own code:

- ``--ranking``: the PostgreSQL keyword ranking options on the SciFact *train*
  queries (nDCG@10, R@100): BM25 in SQL, ``ts_rank`` and ``ts_rank_cd`` with
  their normalisation flags, stemmed ('english' without stopword removal) or
  'simple' text; tantivy's BM25 beside them.
- ``--quality``: SciFact *test* nDCG@10 for keyword, semantic and hybrid on both
  engines (the same documents and the same stored vectors).
- ``--scale``: 100,000 synthetic papers imported through ``Papertide.import_files``
  on both engines (throughput, indexing included), the stored vectors of an
  earlier run copied in, then query latency (keyword OR, hybrid) p50/p95.

PostgreSQL is a local pgserver (16 + pgvector 0.6) in ``bench/out/pg-engines``.
Reuses SciFact from ``bench/retrieval`` (``bench/out/retrieval/scifact`` must hold an
embedded SQLite instance: run ``bench/retrieval/evaluate.py`` first) and the vectors
of ``bench/out/semantic/data-100000`` (``bench/semantic_latency.py``).

    nice -n 10 .venv/bin/python bench/engines.py --ranking --quality --scale
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "retrieval"))

from evaluate import DEFAULT_DATA, NOW, load_into, plain_query, rankings, scores
from ir_collections import load_scifact

from benchlib import (
    OUT_DIR,
    load_average,
    percentile,
    postgres_database,
    postgres_server,
    write_json,
)
from papertide.app import Papertide, open_app, utc_now
from papertide.search.base import KeywordIndex
from papertide.search.hybrid import SearchMode
from papertide.search.postgres_keyword import PostgresKeywordIndex
from papertide.search.query import parse_query
from papertide.search.sync import sync_keyword_index
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.store.postgres.store import PostgresStore
from papertide.store.vectors import NewVector
from queries import realistic_queries

PG_DIR = OUT_DIR / "pg-engines"
WORK = OUT_DIR / "engines"
SCIFACT_SQLITE = OUT_DIR / "retrieval" / "scifact"
VECTORS_100K = OUT_DIR / "semantic" / "data-100000"
MODEL = "all-MiniLM-L6-v2/int8"
# (ranking, candidate cap): BM25 over every match, and over the rarer words' candidates.
RANKINGS = (("bm25", 10**9), ("bm25", 4_000), ("bm25", 1_000), ("bm25", 300),
            ("ts_rank:0", 10**9), ("ts_rank:1", 10**9), ("ts_rank:2", 10**9),
            ("ts_rank:32", 10**9), ("ts_rank_cd:0", 10**9), ("ts_rank_cd:1", 10**9),
            ("ts_rank_cd:2", 10**9), ("ts_rank_cd:32", 10**9))


@contextmanager
def opened(data_dir: Path, url: str | None = None, now: bool = False) -> Iterator[Papertide]:
    """``now``: the real clock (the synthetic papers are of recent years), else SciFact's."""
    settings = Settings(data_dir=data_dir)
    if url is not None:
        settings = settings.with_overrides(database_url=url)
    app = open_app(settings, clock=utc_now if now else lambda: NOW)
    try:
        yield app
    finally:
        app.close()


def copy_vectors(source: Store, target: Store, model: str = MODEL) -> int:
    """Stored vectors of ``source`` into ``target`` (same paper ids), as if embedded there."""
    seq, copied = 0, 0
    while batch := source.vectors_changed_since(seq, model, 5_000):
        present = target.get_papers([item.arxiv_id for item in batch])
        prints = source.vector_fingerprints([item.arxiv_id for item in batch], model)
        target.save_vectors(model, [NewVector(item.arxiv_id, prints[item.arxiv_id], item.vector)
                                    for item in batch if item.arxiv_id in present],
                            [], target.max_change_seq())
        copied += len(present)
        seq = batch[-1].vector_seq
    return copied


def keyword_scores(index: KeywordIndex, queries: dict[str, str], ids: dict[str, str],
                   judged: dict[str, dict[str, int]]) -> tuple[float, float, float]:
    ranked, started = {}, time.perf_counter()
    for query_id, text in queries.items():
        hits = index.search(parse_query(plain_query(text)), 100).hits
        ranked[query_id] = [ids[hit.arxiv_id] for hit in hits]
    milliseconds = (time.perf_counter() - started) / len(queries) * 1000
    return (*scores(ranked, judged), milliseconds)


def ranking_sweep(admin_url: str, only: str = "") -> list[dict[str, Any]]:
    collection = load_scifact(DEFAULT_DATA / "scifact")
    judged = collection.judgments["train"]
    queries = {q: collection.queries[q] for q in judged if q in collection.queries}
    rows: list[dict[str, Any]] = []
    with opened(SCIFACT_SQLITE) as app:
        ids = load_into(app, collection)
        ndcg, recall, ms = keyword_scores(app.keyword_index, queries, ids, judged)
        rows.append({"engine": "sqlite", "ranking": "tantivy BM25", "config": "english stem",
                     "ndcg10": ndcg, "recall100": recall, "ms": ms})
        print(f"tantivy: nDCG@10 {ndcg:.3f} R@100 {recall:.3f}", file=sys.stderr)
    with opened(WORK / "scifact-pg", postgres_database(admin_url, "scifact", fresh=False)) as app:
        if app.store.count_papers() < len(collection.documents):
            load_papers(app, collection)
        assert isinstance(app.store, PostgresStore)
        for config in ("papertide_english", "simple"):
            for ranking, cap in RANKINGS:
                if not ranking.startswith(only):
                    continue
                if config == "simple" and (ranking, cap) != RANKINGS[0]:
                    continue  # the text configuration is compared under BM25
                index = PostgresKeywordIndex(app.store, ranking=ranking, text_config=config,
                                             candidate_max=cap)
                if (ranking, cap) == RANKINGS[0]:
                    sync_keyword_index(app.store, index, rebuild=True)
                ndcg, recall, ms = keyword_scores(index, queries, ids, judged)
                rows.append({"engine": "postgresql", "ranking": ranking, "cap": cap,
                             "config": config, "ndcg10": ndcg, "recall100": recall, "ms": ms,
                             "load": load_average()})
                print(f"{config} {ranking} cap {cap}: nDCG@10 {ndcg:.3f} R@100 {recall:.3f} "
                      f"{ms:.1f} ms", file=sys.stderr)
        sync_keyword_index(app.store, app.keyword_index, rebuild=True)  # back to the default
    return rows


def load_papers(app: Papertide, collection: Any) -> None:
    """The SciFact documents as papers, plus the vectors the SQLite run stored."""
    from evaluate import ANNOUNCED, paper_id

    from papertide.models import PaperRecord

    records = [PaperRecord(arxiv_id=paper_id(i), title=document.title or document.text[:80],
                           source="bench", abstract=document.text, announced_date=ANNOUNCED)
               for i, document in enumerate(collection.documents)]
    for start in range(0, len(records), 2_000):
        app.store.upsert_papers(records[start:start + 2_000], NOW)
    with opened(SCIFACT_SQLITE) as source:
        copy_vectors(source.store, app.store)
    app.sync_search_index()


def quality(admin_url: str) -> list[dict[str, Any]]:
    collection = load_scifact(DEFAULT_DATA / "scifact")
    judged = collection.judgments["test"]
    queries = {q: collection.queries[q] for q in judged if q in collection.queries}
    rows: list[dict[str, Any]] = []
    for engine, data_dir, url in (("sqlite", SCIFACT_SQLITE, None),
                                  ("postgresql", WORK / "scifact-pg",
                                   postgres_database(admin_url, "scifact", fresh=False))):
        with opened(data_dir, url) as app:
            if app.store.count_papers() < len(collection.documents):
                load_papers(app, collection)
            ids = load_into(app, collection)
            for mode in ("keyword", "semantic", "hybrid"):
                ndcg, recall = scores(rankings(app, queries, ids, mode), judged)
                rows.append({"engine": engine, "mode": mode, "ndcg10": ndcg, "recall100": recall,
                             "load": load_average()})
                print(f"{engine} {mode}: nDCG@10 {ndcg:.3f} R@100 {recall:.3f}", file=sys.stderr)
    return rows


def scale(admin_url: str, papers: int, query_count: int) -> list[dict[str, Any]]:
    source_file = OUT_DIR / f"synthetic-{papers}-seed1.jsonl.gz"
    texts = realistic_queries(query_count, seed=11)
    rows: list[dict[str, Any]] = []
    engines: list[tuple[str, Path, str | None]] = [
        ("sqlite", WORK / f"sqlite-{papers}", None),
        ("postgresql", WORK / f"pg-{papers}", postgres_database(admin_url, f"scale_{papers}")),
    ]
    for engine, data_dir, url in engines:
        if data_dir.exists():
            import shutil

            shutil.rmtree(data_dir)
        with opened(data_dir, url, now=True) as app:
            load = load_average()
            started = time.perf_counter()
            report = app.import_files([source_file])
            seconds = time.perf_counter() - started
            row: dict[str, Any] = {"engine": engine, "papers": report.counts.new,
                                   "import_s": seconds, "import_per_s": report.counts.new / seconds,
                                   "import_load": load}
            print(f"{engine}: imported {report.counts.new:,} in {seconds:.0f} s", file=sys.stderr)
            with opened(VECTORS_100K) as source:
                copy_vectors(source.store, app.store)
            started = time.perf_counter()
            app.sync_vector_index()
            row["vector_index_s"] = time.perf_counter() - started
            row.update(latencies(app, engine, texts))
            rows.append(row)
    return rows


def latency(admin_url: str, papers: int, query_count: int,
            reindex: bool = False) -> list[dict[str, Any]]:
    """Query latency again on the instances ``--scale`` left (no import)."""
    texts = realistic_queries(query_count, seed=11)
    rows = []
    for engine, data_dir, url in (("sqlite", WORK / f"sqlite-{papers}", None),
                                  ("postgresql", WORK / f"pg-{papers}",
                                   postgres_database(admin_url, f"scale_{papers}", fresh=False))):
        with opened(data_dir, url, now=True) as app:
            started = time.perf_counter()
            app.sync_search_index(rebuild=reindex)  # rebuild: written by this code version
            rows.append({"engine": engine, "reindex_s": time.perf_counter() - started,
                         "reindex_load": load_average(), **latencies(app, engine, texts)})
            if isinstance(app.store, PostgresStore):
                for cap in (300, 4_000):
                    index = PostgresKeywordIndex(app.store, candidate_max=cap)
                    rows[-1][f"keyword_cap_{cap}"] = timings(index_searcher(index), texts)
    return rows


def latencies(app: Papertide, engine: str, texts: list[str]) -> dict[str, Any]:
    app.search("warm up", mode="hybrid")
    found: dict[str, Any] = {}
    modes: tuple[SearchMode, ...] = ("keyword", "hybrid")
    for mode in modes:
        found[f"{mode}_load"] = load_average()
        found[mode] = timings(searcher(app, mode), texts)
        print(f"{engine} {mode}: {found[mode]}", file=sys.stderr)
    return found


def searcher(app: Papertide, mode: SearchMode) -> Callable[[str], Any]:
    return lambda text: app.search(text, mode=mode)


def index_searcher(index: KeywordIndex) -> Callable[[str], Any]:
    return lambda text: index.search(parse_query(text), 10)


def timings(run: Callable[[str], Any], texts: list[str]) -> dict[str, float]:
    spent = []
    for text in texts:
        started = time.perf_counter()
        run(text)
        spent.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(spent, 50), "p95_ms": percentile(spent, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranking", action="store_true")
    parser.add_argument("--only", default="", help="rankings starting with this (--ranking)")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--latency", action="store_true", help="only the queries of --scale")
    parser.add_argument("--reindex", action="store_true", help="rebuild keyword indexes first")
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "engines.json")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with postgres_server(PG_DIR) as admin_url:
        if args.ranking:
            results["ranking"] = ranking_sweep(admin_url, args.only)
        if args.quality:
            results["quality"] = quality(admin_url)
        if args.scale:
            results["scale"] = scale(admin_url, args.papers, args.queries)
        if args.latency:
            results["latency"] = latency(admin_url, args.papers, args.queries, args.reindex)
    write_json(args.out, results)
    for part, rows in results.items():
        print(f"\n{part}")
        for row in rows:
            print("  " + "  ".join(f"{key}={value:.3f}" if isinstance(value, float)
                                   else f"{key}={value}" for key, value in row.items()))


if __name__ == "__main__":
    main()
