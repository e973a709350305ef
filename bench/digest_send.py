"""Sending rate from the outbox to a local SMTP server (target: at least 100 messages/s).

A counting aiosmtpd server runs in its own process on loopback (so that it
does not share the sender's interpreter); papertide composes one real daily
issue for N subscribers into the outbox, then ``Digests.deliver`` sends it
over one kept-open connection, every message going through the full
claim / point of no return / fsynced "sent" bookkeeping. A second run
reconnects every 100 messages (the default ``mail_per_connection``).

    .venv/bin/python bench/digest_send.py --messages 3000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import Stopwatch, Table, load_average, write_json
from papertide.app import open_app
from papertide.digest.periods import due_period
from papertide.models import PaperRecord
from papertide.settings import Settings
from papertide.subscriptions.models import Preferences

NOW = dt.datetime(2026, 8, 31, 12, 0, tzinfo=dt.UTC)
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "cs.RO", "stat.ML")


class Counter:
    """The server's handler: counts messages and bytes, keeps nothing."""

    def __init__(self) -> None:
        self.messages = 0
        self.size = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.size += len(envelope.original_content or b"")
        return "250 2.0.0 Ok"


def serve(port: int) -> None:
    """Run the counting server until SIGTERM, then print what it received."""
    from aiosmtpd.controller import Controller

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    while not stop.is_set():
        time.sleep(0.1)
    controller.stop()
    print(f"{counter.messages} {counter.size}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(messages: int, per_connection: int) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    try:
        with tempfile.TemporaryDirectory(prefix="digest-send-") as scratch:
            settings = Settings(data_dir=Path(scratch), smtp_host="127.0.0.1", smtp_port=port,
                                smtp_mode="plain", base_url="https://papers.example.org",
                                mail_from="papertide <digest@papers.example.org>",
                                schedule_timezone="UTC", digest_hour=6, search_mode="keyword",
                                mail_per_connection=per_connection)
            service = open_app(settings, clock=lambda: NOW)
            try:
                service.store.upsert_papers([
                    PaperRecord(f"2608.{number:05d}",
                                f"A study of topic {number} with efficient transformers",
                                "synthetic", abstract="We propose a method. " * 40,
                                authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
                                categories=(CATEGORIES[number % len(CATEGORIES)],),
                                announced_date=NOW.date())
                    for number in range(400)], NOW)
                service.sync_search_index()
                with service.store.transaction():
                    for number in range(messages):
                        subscriber = service.store.add_subscriber(
                            f"reader{number:05d}@example.org",
                            Preferences(trending_count=10,
                                        categories=(CATEGORIES[number % 6],
                                                    CATEGORIES[(number + 1) % 6]),
                                        searches=("efficient transformers",)), NOW)
                        service.store.set_subscriber_status(subscriber.id, "active", NOW)
                composed = service.digests.compose_issue(due_period("daily", settings, NOW))
                with Stopwatch() as watch:
                    report = service.digests.deliver()
            finally:
                service.close()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    received, size = (int(value) for value in output.split()[-2:])
    return {"messages": messages, "per_connection": per_connection, "queued": composed.queued,
            "sent": report.sent, "received": received, "mean_kb": size / max(received, 1) / 1e3,
            "seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds,
            "rate": report.sent / watch.seconds, "load": load_average()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3_000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    results = [run(args.messages, per_connection) for per_connection in (1_000_000, 100)]
    rows = tuple(
        (("one kept-open connection" if result["per_connection"] > args.messages
          else f"new connection every {result['per_connection']:.0f}"),
         f"{result['sent']:,.0f} / {result['received']:,.0f}", f"{result['mean_kb']:.0f} kB",
         f"{result['seconds']:.1f} s", f"{result['cpu_seconds']:.1f} s",
         f"{result['rate']:,.0f}")
        for result in results)
    print(Table(f"Sending {args.messages:,} digests to a local SMTP server (target >= 100/s)",
                ("connection", "sent / received", "size", "wall", "CPU", "messages/s"),
                rows).render())
    print(f"load average (1 min): {results[-1]['load']:.1f}")
    write_json(args.json, {"runs": results})
    ok = all(r["sent"] == r["received"] == args.messages and r["rate"] >= 100 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
