"""Import throughput: papers per second into a fresh database, and what it costs on disk.

Measures (a) the bundled sample into a fresh database (median of several
runs, each in its own temp dir) and (b) N synthetic Kaggle-format papers
(see ``synthetic.py``), then a re-import of the same file (every paper
"unchanged") and the database and index sizes.

Each import runs ``Papertide.import_files``, as ``papertide import`` does:
the keyword index follows the committed batches on the second core while the
next ones are parsed, so only the total is timed. ``--split-steps`` instead
runs the store upsert (``papertide.importing.import_files``) and then the
index sync (``Papertide.sync_search_index``) one after the other and times
each: slower, but it shows where the time goes.

    .venv/bin/python bench/import_throughput.py --papers 1000000
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    OUT_DIR,
    Stopwatch,
    Table,
    checkpointed_size,
    database_path,
    folder_size,
    load_average,
    median,
    megabytes,
    opened_app,
    peak_rss_mb,
    sample_path,
    synthetic_file,
    write_json,
)
from papertide.importing import import_files

TARGET_PAPERS_PER_SECOND = 5_000
PER_MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class ImportRun:
    """One import of one file: counts and the time of each step."""

    records: int
    new: int
    updated: int
    unchanged: int
    skipped: int
    indexed: int
    upsert_seconds: float
    sync_seconds: float
    total_seconds: float
    upsert_cpu_seconds: float
    sync_cpu_seconds: float
    load_average: float
    split: bool  # the two steps timed apart; else one total, the index following the import

    @property
    def papers_per_second(self) -> float:
        return self.records / self.total_seconds


@dataclass(frozen=True, slots=True)
class Sizes:
    papers: int
    database_main: int
    database_wal: int
    index: int

    @property
    def database(self) -> int:
        return self.database_main + self.database_wal


def timed_import(data_dir: Path, path: Path, progress: bool, split: bool) -> ImportRun:
    """Import ``path`` as the service does (``split``: its two steps one after the other)."""
    with opened_app(data_dir) as app:
        on_batch = _progress_printer("import", _count_lines(path)) if progress else None
        if not split:
            with Stopwatch() as total:
                report = app.import_files([path], on_batch=on_batch)
            counts = report.counts
            return ImportRun(
                records=counts.new + counts.updated + counts.unchanged + report.skipped,
                new=counts.new, updated=counts.updated, unchanged=counts.unchanged,
                skipped=report.skipped, indexed=0, upsert_seconds=total.seconds,
                sync_seconds=0.0, total_seconds=total.seconds,
                upsert_cpu_seconds=total.cpu_seconds, sync_cpu_seconds=0.0,
                load_average=load_average(), split=False,
            )
        with Stopwatch() as total:
            with Stopwatch() as upsert:
                report = import_files(app.store, [path], app.clock(), on_batch=on_batch)
            with Stopwatch() as sync:
                synced = app.sync_search_index(
                    progress=_sync_printer() if progress else None
                )
    counts = report.counts
    return ImportRun(
        records=counts.new + counts.updated + counts.unchanged + report.skipped,
        new=counts.new, updated=counts.updated, unchanged=counts.unchanged,
        skipped=report.skipped, indexed=synced.indexed,
        upsert_seconds=upsert.seconds, sync_seconds=sync.seconds, total_seconds=total.seconds,
        upsert_cpu_seconds=upsert.cpu_seconds, sync_cpu_seconds=sync.cpu_seconds,
        load_average=load_average(), split=True,
    )


def measure_sizes(data_dir: Path, papers: int) -> Sizes:
    main, wal = checkpointed_size(database_path(data_dir))
    with opened_app(data_dir) as app:
        index_dir = app.settings.search_index_dir
    return Sizes(papers, main, wal, folder_size(index_dir))


def _count_lines(path: Path) -> int | None:
    """Only used to show progress; ``None`` for compressed files (unknown length)."""
    return None if path.suffix == ".gz" else sum(1 for _ in path.open("rb"))


def _progress_printer(step: str, total: int | None) -> Callable[[int], None]:
    done = [0]
    every = 100_000

    def report(batch: int) -> None:
        before, done[0] = done[0], done[0] + batch
        if before // every != done[0] // every:
            of = f" of {total:,}" if total else ""
            print(f"  {step}: {done[0]:,}{of}", file=sys.stderr, flush=True)

    return report


def _sync_printer() -> Callable[[int, int], None]:
    every = 100_000
    last = [0]

    def report(done: int, total: int) -> None:
        if done // every != last[0] // every or done == total:
            print(f"  index: {done:,} of {total:,}", file=sys.stderr, flush=True)
        last[0] = done

    return report


def run_sample(runs: int, work_dir: Path | None, split: bool) -> tuple[list[ImportRun], Sizes]:
    results = []
    sizes: Sizes | None = None
    with sample_path() as path:
        for _ in range(runs):
            with tempfile.TemporaryDirectory(dir=work_dir, prefix="bench-sample-") as folder:
                run = timed_import(Path(folder), path, progress=False, split=split)
                results.append(run)
                sizes = measure_sizes(Path(folder), run.new)
    assert sizes is not None
    return results, sizes


def run_synthetic(
    path: Path, papers: int, work_dir: Path | None, keep: Path | None, split: bool
) -> tuple[ImportRun, ImportRun, Sizes]:
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="bench-import-") as folder:
        data_dir = Path(folder) / "data"
        print(f"importing {papers:,} synthetic papers", file=sys.stderr, flush=True)
        first = timed_import(data_dir, path, progress=True, split=split)
        print("re-importing the same file", file=sys.stderr, flush=True)
        again = timed_import(data_dir, path, progress=False, split=split)
        sizes = measure_sizes(data_dir, first.new)
        if keep is not None:
            if keep.exists():
                shutil.rmtree(keep)
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(data_dir, keep)
    return first, again, sizes


def _median_run(runs: Sequence[ImportRun]) -> ImportRun:
    first = runs[0]
    return ImportRun(
        first.records, first.new, first.updated, first.unchanged, first.skipped, first.indexed,
        median([run.upsert_seconds for run in runs]),
        median([run.sync_seconds for run in runs]),
        median([run.total_seconds for run in runs]),
        median([run.upsert_cpu_seconds for run in runs]),
        median([run.sync_cpu_seconds for run in runs]),
        max(run.load_average for run in runs),
        first.split,
    )


def _run_row(label: str, run: ImportRun) -> tuple[str, ...]:
    return (
        label, f"{run.records:,}",
        f"{run.new:,}/{run.updated:,}/{run.unchanged:,}/{run.skipped:,}",
        f"{run.upsert_seconds:.2f}" if run.split else "-",
        f"{run.sync_seconds:.2f}" if run.split else "-",
        f"{run.total_seconds:.2f}",
        f"{run.records / run.upsert_seconds:,.0f}" if run.split else "-",
        f"{run.indexed / run.sync_seconds:,.0f}" if run.split and run.indexed else "-",
        f"{run.papers_per_second:,.0f}",
        f"{run.upsert_cpu_seconds:.1f} + {run.sync_cpu_seconds:.1f}" if run.split
        else f"{run.upsert_cpu_seconds:.1f}",
        f"{run.load_average:.1f}",
    )


def _size_row(label: str, sizes: Sizes) -> tuple[str, ...]:
    scale = PER_MILLION / sizes.papers
    return (
        label, f"{sizes.papers:,}", megabytes(sizes.database_main), megabytes(sizes.database_wal),
        megabytes(sizes.index), megabytes(sizes.database * scale), megabytes(sizes.index * scale),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000,
                        help="synthetic papers to import (1,000,000; 0 skips this part)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data (1)")
    parser.add_argument("--sample-runs", type=int, default=3,
                        help="imports of the bundled sample; the median is shown (3)")
    parser.add_argument("--data-folder", type=Path, default=OUT_DIR,
                        help="where synthetic files are generated and reused (bench/out)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="parent of the temporary databases (the system temp dir)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the synthetic database and index in this folder "
                             "(for search_latency.py --data-dir N=FOLDER)")
    parser.add_argument("--split-steps", action="store_true",
                        help="time the store upsert and the index sync apart, one after the "
                             "other (not how the service imports: slower, but shows where the "
                             "time goes)")
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    args = parser.parse_args(argv)

    payload: dict[str, Any] = {}
    runs: list[tuple[str, ImportRun]] = []
    sizes: list[tuple[str, Sizes]] = []
    if args.sample_runs > 0:
        print(f"importing the bundled sample {args.sample_runs} times", file=sys.stderr)
        sample_runs, sample_sizes = run_sample(args.sample_runs, args.work_dir, args.split_steps)
        runs.append((f"sample (median of {len(sample_runs)})", _median_run(sample_runs)))
        sizes.append(("sample", sample_sizes))
        payload["sample_runs"] = [vars_of(run) for run in sample_runs]
        payload["sample_sizes"] = vars_of(sample_sizes)
    generation: tuple[float | None, float] | None = None
    if args.papers > 0:
        path, seconds, rss = synthetic_file(args.papers, args.seed, args.data_folder)
        generation = (seconds, rss)
        first, again, synthetic_sizes = run_synthetic(path, args.papers, args.work_dir,
                                                      args.keep, args.split_steps)
        runs += [(f"synthetic {args.papers:,}", first), ("  re-import (same file)", again)]
        sizes.append((f"synthetic {args.papers:,}", synthetic_sizes))
        payload.update(synthetic=vars_of(first), reimport=vars_of(again),
                       synthetic_sizes=vars_of(synthetic_sizes), generation_seconds=seconds)

    print(Table(
        "import throughput ("
        + ("store upsert, then index sync; CPU s = process CPU time of upsert + sync"
           if args.split_steps else "as the service imports, the index following the upsert on "
           "the second core: only the total is timed; CPU s = CPU time of this process, all "
           "threads, without the follower process that indexes imports of 32 MB or more")
        + "; load = 1-minute load average at the end)",
        ("data", "records", "new/upd/same/skip", "upsert s", "index s", "total s",
         "upsert/s", "index/s", "papers/s", "CPU s", "load"),
        tuple(_run_row(label, run) for label, run in runs),
    ).render())
    print(Table(
        "size on disk (database after a checkpoint; index folder)",
        ("data", "papers", "db main", "db WAL", "index", "db per 1M", "index per 1M"),
        tuple(_size_row(label, size) for label, size in sizes),
    ).render())
    if generation is not None:
        seconds, rss = generation
        made = f"generated in {seconds:.0f} s (peak {rss:,.0f} MB)" if seconds else "reused"
        print(f"synthetic file: {made}")
    print(f"peak memory of this process: {peak_rss_mb():,.0f} MB")
    for label, run in runs:
        if run.new:
            verdict = "met" if run.papers_per_second >= TARGET_PAPERS_PER_SECOND else (
                f"missed by {1 - run.papers_per_second / TARGET_PAPERS_PER_SECOND:.0%}")
            print(f"target >= {TARGET_PAPERS_PER_SECOND:,} papers/s, {label.strip()}: "
                  f"{run.papers_per_second:,.0f} papers/s, {verdict}")
    write_json(args.json, payload)
    return 0


def vars_of(item: ImportRun | Sizes) -> dict[str, Any]:
    return dataclasses.asdict(item)


if __name__ == "__main__":
    sys.exit(main())
