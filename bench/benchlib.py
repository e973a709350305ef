"""Small helpers the benchmarks share: timing, percentiles, sizes, tables.

Everything that touches papers goes through papertide's own code paths
(``open_app``, the store, the index); this module only measures and prints.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papertide.app import SAMPLE_RESOURCE, Papertide, open_app
from papertide.settings import Settings

DATABASE_FILE = "papertide.db"
OUT_DIR = Path(__file__).resolve().parent / "out"


@contextmanager
def sample_path() -> Iterator[Path]:
    """The bundled sample as a real file, wherever the package is installed."""
    resource_file = importlib.resources.files("papertide") / "data" / SAMPLE_RESOURCE
    with importlib.resources.as_file(resource_file) as path:
        yield path


@contextmanager
def opened_app(data_dir: Path) -> Iterator[Papertide]:
    """The service on a database and index inside ``data_dir``, closed afterwards."""
    app = open_app(Settings(data_dir=data_dir))
    try:
        yield app
    finally:
        app.close()


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_FILE


def cpu_seconds() -> float:
    """CPU time of this process so far, every thread (tantivy indexes in its own)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stopwatch:
    """Wall time and process CPU time of a ``with`` block, in seconds.

    On a shared machine the wall time grows with other people's load; the
    CPU time shows the work done, whatever the contention.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self._start = 0.0
        self._cpu_start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        self._cpu_start = cpu_seconds()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._start
        self.cpu_seconds = cpu_seconds() - self._cpu_start


def load_average() -> float:
    """The 1-minute load average, to judge how noisy a measurement was."""
    return os.getloadavg()[0]


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..100) of non-empty ``values``."""
    ordered = sorted(values)
    rank = max(math.ceil(share / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def checkpointed_size(database: Path) -> tuple[int, int]:
    """(main file, WAL) sizes in bytes after a TRUNCATE checkpoint."""
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        connection.close()
    wal = database.with_name(database.name + "-wal")
    return database.stat().st_size, wal.stat().st_size if wal.exists() else 0


def folder_size(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file())


def megabytes(size: float) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its finished children), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


@dataclass(frozen=True, slots=True)
class Table:
    """A plain-text table, printed with aligned columns."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def render(self) -> str:
        widths = [
            max(len(cell) for cell in column)
            for column in zip(self.headers, *self.rows, strict=True)
        ]

        def line(cells: Sequence[str]) -> str:
            first, *rest = cells
            parts = [first.ljust(widths[0])]
            parts += [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
            return "  ".join(parts).rstrip()

        rule = "  ".join("-" * width for width in widths)
        body = [line(self.headers), rule, *(line(row) for row in self.rows)]
        return "\n".join([self.title, *body, ""])


def write_json(path: Path | None, payload: dict[str, Any]) -> None:
    """Save raw figures for later comparison (only when asked to)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def synthetic_file(papers: int, seed: int, folder: Path) -> tuple[Path, float | None, float]:
    """The synthetic file for (papers, seed): generated once, then reused.

    Returns the path, the generation time (``None`` when reused) and the
    generator's peak memory in MB (it runs as a child process to measure it).
    """
    path = folder / f"synthetic-{papers}-seed{seed}.jsonl.gz"
    if path.exists():
        return path, None, 0.0
    script = Path(__file__).resolve().with_name("synthetic.py")
    with Stopwatch() as watch:
        subprocess.run(
            [sys.executable, str(script), "--papers", str(papers), "--out", str(path),
             "--seed", str(seed)],
            check=True, stdout=subprocess.DEVNULL,
        )
    return path, watch.seconds, peak_rss_mb(children=True)


@contextmanager
def postgres_server(folder: Path) -> Iterator[str]:
    """PyPI pgserver's PostgreSQL 16 + pgvector with its data in ``folder``; its admin URL."""
    runtime = folder.parent / f"{folder.name}-runtime"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # as root, pgserver needs one
    import pgserver

    server = pgserver.get_server(folder, cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def postgres_database(admin_url: str, name: str, fresh: bool = True) -> str:
    """The URL of database ``name`` on that server: made empty (``fresh``) or kept if it exists."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if fresh and exists:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if fresh or not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")

