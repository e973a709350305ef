"""Job throughput of 1, 2 and 4 ``papertide worker`` processes sharing one database.

For each engine (PostgreSQL from pgserver in ``bench/out/pg-jobs``, and SQLite)
and each worker count, on a fresh database:

1. **queue**: the workers are started and left to settle, then 400 ``deliver``
   jobs are queued at once on an empty outbox; each is claimed, run (outbox
   recovery, a claim that finds nothing) and marked done. jobs/s is 400 over
   the time until the last is done: the cost of the queue itself;
2. **digests**: one daily issue is composed for N subscribers into the outbox
   (in this process, not timed), then one ``deliver`` job per worker is queued;
   the workers send the issue together to a counting aiosmtpd in its own
   process (``digest_send.py --serve``). messages/s is N over the time until
   every message is sent.

    nice -n 10 .venv/bin/python bench/job_throughput.py [--messages 1000] [--jobs 400]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchlib import (
    OUT_DIR,
    Table,
    load_average,
    postgres_database,
    postgres_server,
    write_json,
)
from papertide.app import Papertide, open_app
from papertide.digest.periods import due_period
from papertide.jobs.models import NewJob
from papertide.models import PaperRecord
from papertide.settings import Settings, load_settings
from papertide.subscriptions.models import Preferences

WORKER_COUNTS = (1, 2, 4)
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "cs.RO", "stat.ML")
DIGEST_SEND = Path(__file__).resolve().parent / "digest_send.py"
POLL_SECONDS = 0.05
SETTLE_TIMEOUT = 120.0


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_counter() -> Iterator[tuple[int, list[int]]]:
    """A counting SMTP server process; yields its port and, after, [messages, bytes]."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(DIGEST_SEND), "--serve", str(port)],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    counts: list[int] = []
    try:
        yield port, counts
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
        counts.extend(int(value) for value in output.split()[-2:])


def environ(data_dir: Path, database_url: str, smtp_port: int) -> dict[str, str]:
    values = {
        "data_dir": str(data_dir), "database_url": database_url, "smtp_host": "127.0.0.1",
        "smtp_port": str(smtp_port), "smtp_mode": "plain",
        "mail_from": "papertide <digest@papers.example.org>",
        "base_url": "https://papers.example.org", "contact_email": "bench@example.org",
        "schedule_arxiv_rss": "off", "schedule_hf_daily": "off", "schedule_arxiv_oai": "off",
        "schedule_digests": "false", "schedule_timezone": "UTC", "digest_hour": "6",
        "job_threads": "1", "job_poll_seconds": str(POLL_SECONDS), "job_embed": "false",
        "search_mode": "keyword",
    }
    return {f"PAPERTIDE_{name.upper()}": value for name, value in values.items()}


def seed(service: Papertide, subscribers: int, now: dt.datetime) -> None:
    service.store.upsert_papers([
        PaperRecord(f"2608.{number:05d}", f"A study of topic {number} with efficient transformers",
                    "synthetic", abstract="We propose a method. " * 40,
                    authors=("Ada Lovelace", "Alan Turing"),
                    categories=(CATEGORIES[number % len(CATEGORIES)],),
                    announced_date=now.date())
        for number in range(300)], now)
    service.sync_search_index()
    with service.store.transaction():
        for number in range(subscribers):
            subscriber = service.store.add_subscriber(
                f"reader{number:05d}@example.org",
                Preferences(trending_count=5, categories=(CATEGORIES[number % 6],),
                            searches=("efficient transformers",)), now)
            service.store.set_subscriber_status(subscriber.id, "active", now)


def wait_until(service: Papertide, done: Any, what: str) -> float:
    """Seconds until ``done()`` holds (checked every POLL_SECONDS)."""
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > SETTLE_TIMEOUT:
            raise SystemExit(f"timed out waiting for {what}: {service.store.job_counts()}")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def idle(service: Papertide) -> bool:
    counts = service.store.job_counts()
    return not counts.get("queued") and not counts.get("running")


def run(engine: str, workers: int, jobs: int, messages: int, admin_url: str | None,
        scratch: Path) -> dict[str, float]:
    folder = scratch / f"{engine}-{workers}"
    if admin_url is not None:
        database_url = postgres_database(admin_url, f"jobs_bench_{workers}")
    else:
        database_url = f"sqlite:///{folder / 'shared.db'}"
    with smtp_counter() as (port, received):
        settings: Settings = load_settings(environ(folder / "bench", database_url, port))
        now = dt.datetime.now(dt.UTC)
        service = open_app(settings)
        processes: list[subprocess.Popen[bytes]] = []
        try:
            seed(service, messages, now)
            base = {key: value for key, value in os.environ.items()
                    if not key.startswith("PAPERTIDE_")}
            for number in range(workers):
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "papertide", "worker"],
                    env=base | environ(folder / f"worker-{number}", database_url, port),
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            # Started when each has queued (or found) the mail-outbox slot and the queue is idle.
            time.sleep(1.0)
            wait_until(service, lambda: service.store.job_counts().get("done") and
                       idle(service), "the workers to start")
            time.sleep(3.0)  # the last to start may still be importing

            stamp = time.time()
            for number in range(jobs):
                service.store.enqueue_job(NewJob(f"deliver@bench-empty#{number}", "deliver"),
                                          stamp)
            queue_seconds = wait_until(service, lambda: idle(service), "the empty jobs")

            composed = service.digests.compose_issue(due_period("daily", settings, now))
            stamp = time.time()
            for number in range(workers):
                service.store.enqueue_job(NewJob(f"deliver@bench-issue#{number}", "deliver"),
                                          stamp)
            send_seconds = wait_until(
                service, lambda: idle(service) and set(service.store.outbox_counts().by_state)
                == {"sent"}, "the issue")
            sent = service.store.outbox_counts().of("sent")
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(60)
            service.close()
    return {"workers": workers, "jobs": jobs, "queue_seconds": queue_seconds,
            "jobs_per_second": jobs / queue_seconds, "queued": composed.queued, "sent": sent,
            "received": received[0], "send_seconds": send_seconds,
            "messages_per_second": sent / send_seconds, "load": load_average()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "job-throughput.json")
    args = parser.parse_args(argv)
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="job-throughput-") as scratch:
        for engine in args.engines.split(","):
            if engine == "postgresql":
                with postgres_server(OUT_DIR / "pg-jobs") as admin_url:
                    results[engine] = [run(engine, workers, args.jobs, args.messages,
                                           admin_url, Path(scratch))
                                       for workers in WORKER_COUNTS]
            else:
                results[engine] = [run(engine, workers, args.jobs, args.messages, None,
                                       Path(scratch)) for workers in WORKER_COUNTS]
            rows = tuple(
                (f"{result['workers']:.0f}", f"{result['jobs_per_second']:,.0f}",
                 f"{result['sent']:,.0f} / {result['received']:,.0f}",
                 f"{result['send_seconds']:.1f} s", f"{result['messages_per_second']:,.0f}",
                 f"{result['load']:.1f}")
                for result in results[engine])
            print(Table(f"{engine}: {args.jobs} queued jobs; one issue of {args.messages:,} "
                        "digests to a local SMTP server",
                        ("workers", "jobs/s", "sent / received", "send wall", "messages/s",
                         "load (1 min)"), rows).render(), flush=True)
    write_json(args.json, {"runs": results})
    ok = all(result["sent"] == result["received"] == args.messages
             for runs in results.values() for result in runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
