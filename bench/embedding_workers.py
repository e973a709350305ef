"""Embedding throughput of 1, 2 and 4 ``papertide worker`` processes sharing one database.

On the same 10,000 synthetic papers (``synthetic.py``, imported once into a
template database, copied for every run), each worker count starts that many
``papertide worker`` processes (schedules off, ``embedding_threads = 1``, so
each uses one core and the machine's cores are what is shared), queues one
``embed`` job, and times until every paper has a vector: the workers share
the papers out in claimed ranges, the first run queues a job that an idle
worker picks up, and so on (nothing is set per worker count). Each run checks
that every paper got exactly one vector and that none was embedded twice (the
vector sequence counts every vector written). Runs are interleaved (1, 2, 4,
1, 2, 4, ...) so that a change in the machine's load touches every count. The
workers' CPU time (model loading and start-up included) over the wall time says
how many cores they actually got: on a shared machine, what limits the ratio.

    nice -n 10 .venv/bin/python bench/embedding_workers.py [--papers 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import (
    OUT_DIR,
    Table,
    load_average,
    median,
    postgres_database,
    postgres_server,
    synthetic_file,
    write_json,
)
from papertide.app import open_app
from papertide.embed.export import Precision, export_folder_name
from papertide.embed.onnx import OnnxEmbedder
from papertide.jobs.models import NewJob
from papertide.settings import load_settings
from papertide.store.base import Store
from papertide.store.factory import open_store

MODEL = "all-MiniLM-L6-v2"
PRECISION: Precision = "int8"
POLL_SECONDS = 0.5
TIMEOUT_SECONDS = 3_600.0
_EMBEDDED = re.compile(r"embed: ([\d,]+) papers embedded")


def environ(data_dir: Path, database_url: str) -> dict[str, str]:
    values = {
        "data_dir": str(data_dir), "database_url": database_url,
        "schedule_arxiv_rss": "off", "schedule_hf_daily": "off", "schedule_arxiv_oai": "off",
        "schedule_digests": "false", "contact_email": "bench@example.org",
        "embedding_model": MODEL, "embedding_precision": PRECISION, "embedding_threads": "1",
        "search_mode": "hybrid",
    }
    return {f"PAPERTIDE_{name.upper()}": value for name, value in values.items()}


def build_template(papers: int, folder: Path, models: Path) -> Path:
    """A data dir holding ``papers`` imported papers and no vector; the model exported once."""
    template = folder / f"template-{papers}"
    if not (template / "papertide.db").exists():
        source, _, _ = synthetic_file(papers, 1, OUT_DIR)
        settings = load_settings(environ(template, f"sqlite:///{template / 'papertide.db'}"))
        service = open_app(settings)
        try:
            service.import_files([source])
        finally:
            service.close()
    OnnxEmbedder(MODEL, PRECISION, models).embed_query("export the model once")
    return template


def worker_dir(folder: Path, models: Path) -> Path:
    """A worker's own data dir (its own vector index), sharing the exported model."""
    exported = export_folder_name(MODEL, PRECISION)
    (folder / "models").mkdir(parents=True)
    (folder / "models" / exported).symlink_to(models / exported)
    return folder


def copy_papers(template: Path, database_url: str) -> None:
    """The template's papers into the run's database (a file copy; PostgreSQL: `db copy`)."""
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(template / "papertide.db", database_url.removeprefix("sqlite:///"))
        return
    subprocess.run([sys.executable, "-m", "papertide", "db", "copy", "--from",
                    f"sqlite:///{template / 'papertide.db'}", "--to", database_url],
                   check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PAPERTIDE_DATA_DIR": str(template)})


def run(workers: int, repeat: int, template: Path, models: Path, scratch: Path,
        admin_url: str | None) -> dict[str, Any]:
    folder = scratch / f"run-{workers}-{repeat}"
    folder.mkdir()
    database_url = (postgres_database(admin_url, f"embed_bench_{workers}_{repeat}")
                    if admin_url else f"sqlite:///{folder / 'shared.db'}")
    copy_papers(template, database_url)
    store = open_store(database_url)
    papers = store.count_papers()
    model = f"{MODEL}/{PRECISION}"
    base = {key: value for key, value in os.environ.items() if not key.startswith("PAPERTIDE_")}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "papertide", "worker"],
        env=base | environ(worker_dir(folder / f"worker-{number}", models), database_url)
        | {"HF_HUB_OFFLINE": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for number in range(workers)]
    try:
        time.sleep(5.0)  # started: importing papertide takes a few seconds
        started = time.perf_counter()
        store.enqueue_job(NewJob(f"embed@bench-{workers}-{repeat}", "embed"), time.time())
        while store.embedding_watermark(model) < store.max_change_seq() or busy(store):
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                raise SystemExit(f"timed out: {store.job_counts()}")
            if any(process.poll() is not None for process in processes):
                raise SystemExit("a worker stopped; run `papertide worker` with these "
                                 "settings to see why")
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        load = load_average()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        cpu = 0.0
        for process in processes:
            _, _, usage = os.wait4(process.pid, 0)  # reaped here, with its CPU time
            process.returncode = 0
            cpu += usage.ru_utime + usage.ru_stime
    shares = [int(found.group(1).replace(",", "")) for record in
              store.job_records(1_000, kinds=["embed"])
              if (found := _EMBEDDED.search(record.result or ""))]
    result = {"workers": workers, "papers": papers, "seconds": seconds,
              "docs_per_second": papers / seconds, "cpu_seconds": cpu,
              "cores_used": cpu / seconds, "vectors": store.count_vectors(model),
              "vectors_written": store.max_vector_seq(), "by_job": sorted(shares, reverse=True),
              "load": load}
    store.close()
    if not result["vectors"] == result["vectors_written"] == papers == sum(shares):
        raise SystemExit(f"a paper was embedded twice or not at all: {result}")
    return result


def busy(store: Store) -> bool:
    counts = store.job_counts()
    return bool(counts.get("queued") or counts.get("running"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "embedding-workers.json")
    args = parser.parse_args(argv)
    counts = [int(value) for value in args.workers.split(",")]
    results: list[dict[str, Any]] = []
    models = OUT_DIR / "models"
    template = build_template(args.papers, OUT_DIR, models)
    with tempfile.TemporaryDirectory(prefix="embedding-workers-") as scratch, \
            contextlib.ExitStack() as stack:
        admin_url = (stack.enter_context(postgres_server(OUT_DIR / "pg-embed"))
                     if args.engine == "postgresql" else None)
        for repeat in range(args.repeats):
            for workers in counts:
                result = run(workers, repeat, template, models, Path(scratch), admin_url)
                results.append(result)
                print(f"{workers} workers: {result['docs_per_second']:.1f} docs/s "
                      f"({result['seconds']:.1f} s, {result['cores_used']:.2f} cores busy, "
                      f"by job {result['by_job']}, load {result['load']:.1f})", flush=True)
    rates = {workers: median([result["docs_per_second"] for result in results
                              if result["workers"] == workers]) for workers in counts}
    base = rates[counts[0]]
    print(Table(f"embedding {args.papers:,} papers ({args.engine}, model {MODEL} {PRECISION})",
                ("workers", "docs/s (median)", f"× {counts[0]} worker", "runs"), tuple(
                    (str(workers), f"{rates[workers]:.1f}", f"{rates[workers] / base:.2f}",
                     ", ".join(f"{result['docs_per_second']:.1f}" for result in results
                               if result["workers"] == workers))
                    for workers in counts)).render())
    write_json(args.json, {"engine": args.engine, "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
