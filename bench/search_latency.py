"""Keyword search latency at several corpus sizes: tantivy (as served) against SQLite FTS5.

For each size, 200 realistic queries (see ``queries.py``) run one at a time,
warm (after one untimed pass), page size 20, in two variants: as typed
(OR: any word, best first) and all-words (each word required with ``+``).
Engines, interleaved query by query on the same data:

- ``tantivy``: ``Papertide.search`` in keyword mode, the full path (parse,
  tantivy, count, fetch the papers from SQLite), with the service's result
  cache turned off: every pass ranks again, as a query seen for the first
  time does (a repeated query is served from the cache in about 0.2 ms);
- ``tantivy index``: the keyword index alone, to show what the fetch costs;
- ``fts5``: an external-content FTS5 table on a copy of the database,
  ``bm25(papers_fts, 2.0, 1.0)``, top 20, then the same fetch of the papers.

Beside the wall time, the CPU time of the process per search (all threads):
on a shared machine the wall time grows with other people's load, the CPU
time much less.

    .venv/bin/python bench/search_latency.py --papers 10000,1000000
    .venv/bin/python bench/search_latency.py --papers 1000000 --data-dir 1000000=bench/out/data-1m
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import (
    OUT_DIR,
    Stopwatch,
    Table,
    database_path,
    folder_size,
    load_average,
    megabytes,
    opened_app,
    percentile,
    synthetic_file,
    write_json,
)
from fts5_baseline import Fts5Search, FtsBuild, build_fts_copy
from papertide.app import Papertide
from papertide.search.query import parse_query
from papertide.search.result_cache import ResultCache
from queries import Stopwords, all_words, realistic_queries

PAGE_SIZE = 20
TARGET_P95_MS = 20.0
TARGET_PAPERS = 1_000_000
VARIANTS = ("OR", "AND")
ENGINES = ("tantivy", "tantivy index", "fts5")
# One engine run: the arXiv ids found (best first) and the total matched, if known.
Runner = Callable[[str], tuple[list[str], int | None]]


@dataclass(slots=True)
class Measurements:
    """Latencies (ms) and result counts per (engine, variant)."""

    latencies: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    # CPU time of the process (all threads) per search: what the search costs, which a
    # busy machine's scheduling does not inflate the way it does the wall time.
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    results: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    totals: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    overlaps: dict[str, list[float]] = field(default_factory=dict)
    queries: int = 0
    load_average: float = 0.0


@dataclass(frozen=True, slots=True)
class SizeReport:
    papers: int
    import_seconds: float | None
    tantivy_bytes: int
    fts: FtsBuild | None
    measurements: Measurements


def runners(app: Papertide, fts: Fts5Search | None) -> dict[str, Runner]:
    def full(text: str) -> tuple[list[str], int | None]:
        found = app.search(text, page_size=PAGE_SIZE, mode="keyword")
        return [paper.arxiv_id for paper in found.page.papers], found.page.total

    def index_only(text: str) -> tuple[list[str], int | None]:
        hits = app.keyword_index.search(parse_query(text), PAGE_SIZE)
        return [hit.arxiv_id for hit in hits.hits], hits.total

    engines: dict[str, Runner] = {"tantivy": full, "tantivy index": index_only}
    if fts is not None:
        def fts5(text: str) -> tuple[list[str], int | None]:
            return [paper.arxiv_id for paper in fts.search(text, PAGE_SIZE)], None

        engines["fts5"] = fts5
    return engines


def measure(
    engines: dict[str, Runner], queries: dict[str, list[str]], passes: int
) -> Measurements:
    """One warm-up pass, then ``passes`` timed passes, engines interleaved query by query."""
    measured = Measurements(queries=len(next(iter(queries.values()))))
    for variant, texts in queries.items():
        for text in texts:
            found = {name: run(text)[0] for name, run in engines.items()}
            if "fts5" in found:
                reference = set(found["tantivy"])
                share = len(reference & set(found["fts5"])) / len(reference) if reference else 1.0
                measured.overlaps.setdefault(variant, []).append(share)
    for _ in range(passes):
        for position in range(len(next(iter(queries.values())))):
            for variant, texts in queries.items():
                for name, run in engines.items():
                    start, cpu = time.perf_counter(), time.process_time()
                    ids, total = run(texts[position])
                    elapsed = (time.perf_counter() - start) * 1000
                    key = (name, variant)
                    measured.latencies.setdefault(key, []).append(elapsed)
                    measured.cpu.setdefault(key, []).append((time.process_time() - cpu) * 1000)
                    measured.results.setdefault(key, []).append(len(ids))
                    if total is not None:
                        measured.totals.setdefault(key, []).append(total)
    measured.load_average = load_average()
    return measured


def _best_per_query(latencies: Sequence[float], queries: int) -> list[float]:
    """Each query's fastest pass: the engine's own cost, with scheduling noise removed."""
    return [min(latencies[position::queries]) for position in range(queries)]


def prepared_data_dir(
    papers: int, given: Path | None, seed: int, data_folder: Path, scratch: Path
) -> tuple[Path, float | None]:
    """The data dir to search: the one given, or a new import of synthetic papers."""
    if given is not None:
        if not database_path(given).exists():
            raise SystemExit(f"{given} holds no papertide database")
        return given, None
    path, _, _ = synthetic_file(papers, seed, data_folder)
    data_dir = scratch / f"data-{papers}"
    print(f"importing {papers:,} synthetic papers", file=sys.stderr, flush=True)
    with opened_app(data_dir) as app, Stopwatch() as watch:
        app.import_files([path])
    return data_dir, watch.seconds


def run_size(
    papers: int, given: Path | None, args: argparse.Namespace, queries: dict[str, list[str]],
    stopwords: Stopwords,
) -> SizeReport:
    with tempfile.TemporaryDirectory(dir=args.work_dir, prefix="bench-search-") as folder:
        scratch = Path(folder)
        data_dir, import_seconds = prepared_data_dir(papers, given, args.seed, args.data_folder,
                                                     scratch)
        with ExitStack() as stack:
            app = stack.enter_context(opened_app(data_dir))
            app._results = ResultCache(max_entries=0)  # time the ranking, not the cache
            app.sync_search_index()
            count = app.store.count_papers()
            tantivy_bytes = folder_size(app.settings.search_index_dir)
            fts_build: FtsBuild | None = None
            fts: Fts5Search | None = None
            if not args.no_fts:
                print(f"building FTS5 over {count:,} papers", file=sys.stderr, flush=True)
                fts_build = build_fts_copy(database_path(data_dir), scratch / "fts5.db")
                fts = Fts5Search(scratch / "fts5.db", stopwords)
                stack.callback(fts.close)
            print(f"searching {count:,} papers", file=sys.stderr, flush=True)
            measured = measure(runners(app, fts), queries, args.passes)
    return SizeReport(count, import_seconds, tantivy_bytes, fts_build, measured)


def _latency_rows(report: SizeReport) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    measured = report.measurements
    for variant in VARIANTS:
        for engine in ENGINES:
            key = (engine, variant)
            if key not in measured.latencies:
                continue
            latencies = measured.latencies[key]
            best = _best_per_query(latencies, measured.queries)
            results = measured.results[key]
            totals = measured.totals.get(key)
            overlap = measured.overlaps.get(variant) if engine == "fts5" else None
            rows.append((
                f"{report.papers:,}", engine, variant,
                f"{percentile(latencies, 50):.2f}", f"{percentile(latencies, 95):.2f}",
                f"{percentile(latencies, 99):.2f}", f"{percentile(best, 95):.2f}",
                f"{percentile(measured.cpu[key], 50):.2f}",
                f"{percentile(measured.cpu[key], 95):.2f}",
                f"{sum(results) / len(results):.1f}",
                f"{sum(totals) / len(totals):,.0f}" if totals else "-",
                f"{sum(overlap) / len(overlap):.0%}" if overlap else "-",
            ))
    return rows


def _build_row(report: SizeReport) -> tuple[str, ...]:
    fts = report.fts
    return (
        f"{report.papers:,}",
        f"{report.import_seconds:.0f} s" if report.import_seconds else "given",
        megabytes(report.tantivy_bytes),
        f"{fts.seconds:.0f} s + {fts.optimize_seconds:.0f} s" if fts else "-",
        f"{report.papers / fts.seconds:,.0f}" if fts else "-",
        megabytes(fts.index_bytes) if fts else "-",
    )


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def _data_dir(text: str) -> tuple[int, Path]:
    size, _, path = text.partition("=")
    if not path:
        raise argparse.ArgumentTypeError("expected SIZE=FOLDER, e.g. 1000000=bench/out/data-1m")
    return int(size.replace("_", "")), Path(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=_sizes, default=[10_000, 1_000_000],
                        help="corpus sizes, comma-separated (10000,1000000)")
    parser.add_argument("--data-dir", type=_data_dir, action="append", default=[],
                        help="SIZE=FOLDER: search this data dir (made by import_throughput.py "
                             "--keep) instead of importing synthetic papers")
    parser.add_argument("--queries", type=int, default=200, help="distinct queries (200)")
    parser.add_argument("--query-seed", type=int, default=7, help="seed of the queries (7)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the queries (3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic papers (1)")
    parser.add_argument("--no-fts", action="store_true", help="skip the FTS5 comparison")
    parser.add_argument("--data-folder", type=Path, default=OUT_DIR,
                        help="where synthetic files are generated and reused (bench/out)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="parent of the temporary databases (the system temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    args = parser.parse_args(argv)
    given = dict(args.data_dir)

    stopwords = Stopwords()
    typed = realistic_queries(args.queries, args.query_seed)
    queries = {"OR": typed, "AND": [all_words(text, stopwords) for text in typed]}
    reports = [run_size(papers, given.get(papers), args, queries, stopwords)
               for papers in args.papers]

    print(Table(
        "data (tantivy index folder; FTS5 build = rebuild + optimize, size added to the copy)",
        ("papers", "import", "tantivy index", "FTS5 build", "FTS5 docs/s", "FTS5 index"),
        tuple(_build_row(report) for report in reports),
    ).render())
    print(Table(
        f"search latency in ms, warm, one query at a time, {len(typed)} queries x {args.passes} "
        f"passes, top {PAGE_SIZE} (p95 best: over each query's fastest pass; load average "
        f"at the end: {', '.join(f'{r.measurements.load_average:.1f}' for r in reports)})",
        ("papers", "engine", "variant", "p50", "p95", "p99", "p95 best", "CPU p50", "CPU p95",
         "results", "matched", "top-20 overlap"),
        tuple(row for report in reports for row in _latency_rows(report)),
    ).render())
    for report in reports:
        if report.papers >= TARGET_PAPERS:
            p95 = percentile(report.measurements.latencies[("tantivy", "OR")], 95)
            verdict = "met" if p95 <= TARGET_P95_MS else f"missed by {p95 - TARGET_P95_MS:.1f} ms"
            print(f"target p95 <= {TARGET_P95_MS:.0f} ms for OR queries at {report.papers:,} "
                  f"papers: {p95:.2f} ms, {verdict}")
    write_json(args.json, _payload(reports, typed))
    return 0


def _payload(reports: Sequence[SizeReport], typed: Sequence[str]) -> dict[str, Any]:
    return {
        "queries": list(typed),
        "sizes": [
            {
                "papers": report.papers,
                "import_seconds": report.import_seconds,
                "tantivy_bytes": report.tantivy_bytes,
                "fts_build_seconds": report.fts.seconds if report.fts else None,
                "fts_index_bytes": report.fts.index_bytes if report.fts else None,
                "latencies_ms": {f"{engine} {variant}": values for (engine, variant), values
                                 in report.measurements.latencies.items()},
                "cpu_ms": {f"{engine} {variant}": values for (engine, variant), values
                           in report.measurements.cpu.items()},
            }
            for report in reports
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
