"""Typos, prefixes and pasted text on both engines: what a forgiving query costs.

The same papers are imported into SQLite (tantivy) and PostgreSQL (tsvector BM25
and the word list, pgserver in ``bench/out/pg-engines``), then each kind of
query runs through ``Papertide.search`` in keyword mode with the result cache
off (every run ranks again), ``--runs`` times; the median per query, then the
median and the worst over the queries of a kind. The notices say whether a
prefix was bounded and whether a typo was corrected.

Kinds: one-word typos at edit distance 1 (the five of issue 14) and 2; ``a*``
(too short: searched as a word); prefixes of 3-4 letters (most start more than
200 words, so they are bounded); 200 words each ending in ``*`` (the parser
keeps 32 of them, each stands for at most 200 words); 250-word pasted
abstracts (searched by their 48 rarest words).

    nice -n 10 .venv/bin/python bench/forgiving_queries.py [--papers 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchlib import (
    OUT_DIR,
    Table,
    load_average,
    median,
    postgres_database,
    postgres_server,
    sample_path,
    synthetic_file,
    write_json,
)
from papertide.app import Papertide, open_app, utc_now
from papertide.search.query import MAX_LONG_QUERY_CHARS
from papertide.search.result_cache import ResultCache
from papertide.settings import Settings
from semantic_latency import pasted_abstracts

PG_DIR = OUT_DIR / "pg-engines"
WORK = OUT_DIR / "forgiving"
TYPOS_1 = ("difusion", "transfomer", "segmantation", "exprts", "colaboration")
TYPOS_2 = ("colaboraton", "segmnetaton", "reinforcment lerning", "distilaton", "atention")
PREFIXES = ("pro*", "con*", "dist*", "lang*", "trans*")
STARTS = ("pro", "con", "dist", "lang", "trans", "mod", "gen", "rea", "lea", "vis")


@contextmanager
def opened(data_dir: Path, url: str | None) -> Iterator[Papertide]:
    settings = Settings(data_dir=data_dir)
    if url is not None:
        settings = settings.with_overrides(database_url=url)
    app = open_app(settings, clock=utc_now)
    app._results = ResultCache(max_entries=0)  # time the ranking, not the cache
    try:
        yield app
    finally:
        app.close()


def queries(abstracts: list[str], count: int) -> dict[str, list[str]]:
    rng = random.Random(14)
    prefix_walls = [" ".join(f"{STARTS[(n + k) % len(STARTS)]}{'' if n < 10 else n}*"
                             for n in range(200)) for k in range(3)]
    return {"typo, distance 1": list(TYPOS_1), "typo, distance 2": list(TYPOS_2),
            "a*": ["a*"], "prefix of 3-5 letters": list(PREFIXES),
            "200 prefixes": prefix_walls,
            "250-word pasted abstract": pasted_abstracts(rng.sample(abstracts, 2 * count), count)}


def sample_abstracts() -> list[str]:
    with sample_path() as path, gzip.open(path, "rt", encoding="utf-8") as handle:
        return [f"{row['title']}. {row['abstract']}" for row in map(json.loads, handle)
                if row.get("abstract")]


def measure(app: Papertide, kinds: dict[str, list[str]], runs: int) -> list[dict[str, Any]]:
    rows = []
    for kind, texts in kinds.items():
        per_query, noticed, corrected, found = [], 0, 0, 0
        load = load_average()
        for text in texts:
            spent = []
            for _ in range(runs):
                started = time.perf_counter()
                results = app.search(text, mode="keyword", max_chars=MAX_LONG_QUERY_CHARS)
                spent.append((time.perf_counter() - started) * 1000)
            per_query.append(median(spent))
            noticed += bool(results.notices)
            corrected += results.suggestion is not None
            found += results.page.total > 0
        rows.append({"kind": kind, "queries": len(texts), "median_ms": median(per_query),
                     "max_ms": max(per_query), "with_notice": noticed, "corrected": corrected,
                     "with_results": found, "load": load})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=0,
                        help="synthetic papers (synthetic.py); 0: the bundled sample")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pasted", type=int, default=20, help="pasted abstracts (20)")
    parser.add_argument("--fresh", action="store_true", help="import again")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.papers:
        source, _, _ = synthetic_file(args.papers, 1, OUT_DIR)
    name = f"{args.papers or 'sample'}"
    abstracts = sample_abstracts()
    kinds = queries(abstracts, args.pasted)
    results: dict[str, Any] = {}
    with postgres_server(PG_DIR) as admin_url:
        for engine in ("sqlite", "postgresql"):
            data_dir = WORK / f"{engine}-{name}"
            fresh = args.fresh or not data_dir.exists()
            url = (postgres_database(admin_url, f"forgiving_{name}", fresh=fresh)
                   if engine == "postgresql" else None)
            if fresh:
                shutil.rmtree(data_dir, ignore_errors=True)
            with opened(data_dir, url) as app:
                if fresh:
                    print(f"{engine}: importing {name} ...", file=sys.stderr, flush=True)
                    if args.papers:
                        app.import_files([source])
                    else:
                        app.import_sample()
                app.sync_search_index()
                app.search("warm up", mode="keyword")
                results[engine] = measure(app, kinds, args.runs)
                papers = app.store.count_papers()
    print(Table(f"Forgiving keyword queries on {papers:,} papers (ms, median of {args.runs} "
                f"runs per query; result cache off)",
                ("engine", "kind", "queries", "median", "worst", "notices", "corrected",
                 "with results", "load"),
                tuple((engine, row["kind"], str(row["queries"]), f"{row['median_ms']:.1f}",
                       f"{row['max_ms']:.1f}", str(row["with_notice"]), str(row["corrected"]),
                       str(row["with_results"]), f"{row['load']:.1f}")
                      for engine, rows in results.items() for row in rows)).render())
    write_json(args.json, results)


if __name__ == "__main__":
    main()
