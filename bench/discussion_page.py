"""A paper page with a long discussion: server-side time to answer, target ≤ 50 ms.

Builds a data dir with one paper and ``--comments`` comments (half of them
replies, written by 100 readers, a third with some Markdown, upvotes on many)
posted through the service as readers would, then asks for the paper page
through the ASGI app in this process (no network: the time is the server's
own) as a signed-in reader (forms on every comment) and anonymously, and
prints the median and p95 of ``--requests`` requests each, beside the time of
the parts (reading and threading the comments, rendering the template).

    .venv/bin/python bench/discussion_page.py [--comments 300] [--requests 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from benchlib import Table, cpu_seconds, load_average, median, percentile
from papertide.app import Papertide, open_app
from papertide.models import PaperRecord
from papertide.settings import Settings
from papertide.web import create_web_app
from papertide.web.session import SESSION_COOKIE

TARGET_MS = 50.0
PAPER = "2501.00001"
BODIES = (
    "I tried this on *our* data: the gains hold for small models, less so above 7B.",
    "Is the code out? The paper links a [repository](https://example.org/repo) that is empty.",
    "The bound in section 3 needs $\\lambda < 1$; with `lambda = 1` it diverges:\n\n"
    "```\nloss = sum(x ** lam for x in xs)\n```",
    "> the method is simple\n\nSimple, yes, but the ablation in table 4 leaves out the "
    "most obvious baseline.",
    "Nice. A few points:\n\n- the learning rate schedule is not given\n- figure 2 has no "
    "error bars\n- **which** tokenizer?",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def prepare(app: Papertide, comments: int) -> str:
    """One paper with ``comments`` comments; returns a reader's session cookie."""
    app.store.upsert_papers([PaperRecord(
        arxiv_id=PAPER, title="A paper people talk about", source="bench",
        abstract="An abstract of some length. " * 20, authors=("Ada Lovelace", "Alan Turing"),
        categories=("cs.LG",), announced_date=dt.date(2025, 1, 6))],
        dt.datetime.now(dt.UTC))
    accounts = app.community.accounts
    readers = [accounts.add_user(f"reader{number}@example.org")[0] for number in range(100)]
    discussions = app.discussions
    tops: list[int] = []
    for number in range(comments):
        author = readers[number % len(readers)]
        body = f"{BODIES[number % len(BODIES)]} (#{number})"
        parent = tops[number % len(tops)] if number % 2 and tops else None
        posted = discussions.post(author, PAPER, body, parent)
        if parent is None:
            tops.append(posted.comment.id)
        if number % 3 == 0:
            discussions.upvote(readers[(number + 1) % len(readers)], posted.comment.id)
    link = accounts.sign_in_link(readers[0].email)
    return accounts.complete_sign_in(link.split("token=")[1]).cookie


def timed(client: TestClient, requests: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each request (CPU: every thread of this process,
    the fairer figure on a machine other work shares)."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        response = client.get(f"/papers/{PAPER}")
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((cpu_seconds() - started_cpu) * 1000)
        assert response.status_code == 200 and "comment-thread" in response.text
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as folder:
        app = open_app(Settings(data_dir=Path(folder), comment_limit_per_hour=100_000))
        try:
            run(app, args.comments, args.requests)
        finally:
            app.close()


def run(app: Papertide, comments: int, requests: int) -> None:
    cookie = prepare(app, comments)
    shown = app.discussions.discussion(PAPER).count
    rows: list[tuple[str, ...]] = []
    with TestClient(create_web_app(app), base_url="http://localhost") as anonymous, \
            TestClient(create_web_app(app), base_url="http://localhost",
                       cookies={SESSION_COOKIE: cookie}) as signed_in:
        for label, client in (("signed in", signed_in), ("anonymous", anonymous)):
            timed(client, 5)  # warm: templates compiled, connections open
            wall, cpu = timed(client, requests)
            rows.append((label, f"{shown:,}", f"{median(wall):.1f}",
                         f"{percentile(wall, 95):.1f}", f"{median(cpu):.1f}",
                         "met" if median(cpu) <= TARGET_MS else "missed"))
    parts: list[float] = []
    viewer = app.store.user_by_email("reader0@example.org")
    for _ in range(requests):
        started = time.perf_counter()
        app.discussions.discussion(PAPER, viewer)
        parts.append((time.perf_counter() - started) * 1000)
    table = Table(f"Paper page with {comments} comments (CPU: {cpu_model()})",
                  ("viewer", "comments shown", "wall median ms", "wall p95 ms",
                   "CPU median ms", f"CPU ≤ {TARGET_MS:g} ms"), tuple(rows))
    print(table.render())
    print(f"load average (1 min) at the end: {load_average():.1f}")
    print(f"reading and threading the comments alone: median {median(parts):.1f} ms")


if __name__ == "__main__":
    main()
