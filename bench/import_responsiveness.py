"""Does the site stay responsive while big imports run? /api/health and votes, measured.

`papertide serve` (the code of this checkout, or ``--baseline-ref``'s for
comparison) runs on a copy of a data dir holding the bundled sample. While a
signed-in person uploads a 10,000-entry BibTeX library (followed on its
progress page) and ``papertide import --strict`` writes a large synthetic file
into the same database (one long write transaction), this script polls
``/api/health`` every 20 ms and upvotes a paper every 250 ms. It prints the
health latencies (target: p99 <= 200 ms) and what every vote got: an answer,
or 503 with Retry-After; a vote without an answer within 30 s is a hang.
Only 127.0.0.1 is contacted.

    .venv/bin/python bench/import_responsiveness.py --papers 100000
    .venv/bin/python bench/import_responsiveness.py --baseline-ref e164aac
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from benchlib import load_average, opened_app, percentile, sample_path
from mixed_load import REPO, export_code, free_port
from synthetic import write_synthetic

HEALTH_EVERY = 0.02
VOTE_EVERY = 0.25
HANG_SECONDS = 30.0
LIBRARY_ENTRIES = 10_000
TARGET_P99_MS = 200.0


@dataclass
class Observations:
    health_ms: list[float] = field(default_factory=list)
    health_failures: int = 0
    votes: Counter[str] = field(default_factory=Counter)
    vote_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Visitor:
    cookie: str
    csrf: str
    titles: tuple[str, ...]
    paper: str


def prepare(data_dir: Path) -> Visitor:
    """The sample in ``data_dir`` and a signed-in person with a CSRF token."""
    with opened_app(data_dir) as app:
        if app.store.count_papers() == 0:
            with sample_path() as path:
                app.import_files([path])
        accounts = app.community.accounts
        if accounts.store.user_by_email("bench@example.org") is None:
            accounts.add_user("bench@example.org")
        link = accounts.sign_in_link("bench@example.org")
        signed = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0])
        viewer = accounts.viewer(signed.cookie)
        assert viewer is not None
        csrf = accounts.csrf_token("session:" + viewer.session_hash)
        latest = app.store.latest_announced_date()
        assert latest is not None
        listing = app.store.list_announced(latest - dt.timedelta(days=30),
                                           latest + dt.timedelta(days=1), 200, 0)
        titles = tuple(paper.title for paper in listing.papers)
    return Visitor(signed.cookie, csrf, titles, listing.papers[0].arxiv_id)


def bibtex(titles: tuple[str, ...]) -> bytes:
    known = [f"@article{{k{n},\n  title = {{{title}}}\n}}\n" for n, title in enumerate(titles)]
    unknown = [f"@article{{u{n},\n  title = {{A study of wombat burrow number {n}}},\n"
               f"  year = {{2019}}\n}}\n" for n in range(LIBRARY_ENTRIES - len(known))]
    return "\n".join(known + unknown).encode()


@contextmanager
def serving(source: Path, data_dir: Path) -> Iterator[str]:
    port = free_port()
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("PAPERTIDE_")}
    environment.update({"PYTHONPATH": str(source), "HF_HUB_OFFLINE": "1",
                        "PAPERTIDE_DATA_DIR": str(data_dir), "PAPERTIDE_SEARCH_MODE": "keyword"})
    process = subprocess.Popen([sys.executable, "-m", "papertide", "serve", "--host",
                                "127.0.0.1", "--port", str(port)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        settle(base, deadline)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=300)  # an embedding batch finishes first


def settle(base: str, deadline: float) -> None:
    """Wait until the model is loaded (a search by meaning answers as such): the server's
    start-up work is not what is measured."""
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(base + "/api/search", params={"q": "warm up", "mode": "hybrid"},
                               timeout=30)
            if answer.status_code == 200 and answer.json().get("mode") == "hybrid":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not get ready (is the data dir embedded?)")


def poll_health(base: str, stop: threading.Event, seen: Observations) -> None:
    with httpx.Client(base_url=base, timeout=HANG_SECONDS) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = client.get("/api/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            seen.health_ms.append((time.perf_counter() - started) * 1000)
            seen.health_failures += not ok
            stop.wait(HEALTH_EVERY)


def keep_voting(base: str, visitor: Visitor, stop: threading.Event, seen: Observations) -> None:
    with httpx.Client(base_url=base, timeout=HANG_SECONDS,
                      cookies={"papertide_session": visitor.cookie}) as client:
        action = "up"
        while not stop.is_set():
            started = time.perf_counter()
            try:
                answer = client.post(f"/votes/{visitor.paper}",
                                     data={"csrf_token": visitor.csrf, "action": action},
                                     headers={"Accept": "application/json"})
                outcome = str(answer.status_code)
                if answer.status_code == 503:
                    outcome += " with Retry-After" if "retry-after" in answer.headers else \
                        " without Retry-After"
                elif answer.status_code == 200:
                    action = "remove" if action == "up" else "up"
            except httpx.TimeoutException:
                outcome = f"no answer in {HANG_SECONDS:.0f} s (a hang)"
            except httpx.HTTPError as error:
                outcome = f"failed: {type(error).__name__}"
            seen.vote_ms.append((time.perf_counter() - started) * 1000)
            seen.votes[outcome] += 1
            stop.wait(VOTE_EVERY)


def import_library(base: str, visitor: Visitor, library: bytes) -> str:
    with httpx.Client(base_url=base, timeout=600,
                      cookies={"papertide_session": visitor.cookie}) as client:
        answer = client.post("/library/import", data={"csrf_token": visitor.csrf},
                             files={"file": ("library.bib", library, "text/plain")})
        if answer.status_code != 303:  # the old code answers with the report at the end
            return f"answered {answer.status_code} in one request"
        location = answer.headers["location"]
        while True:
            try:
                page = client.get(location).text
            except httpx.TransportError:  # a kept-alive connection closed under us: again
                continue
            if "Importing your library" not in page:
                return "done in the background" if "Library imported" in page else "failed"
            time.sleep(0.5)


def measure(source: Path, data_dir: Path, visitor: Visitor, papers_file: Path) -> None:
    seen = Observations()
    stop = threading.Event()
    with serving(source, data_dir) as base:
        watchers = [threading.Thread(target=poll_health, args=(base, stop, seen)),
                    threading.Thread(target=keep_voting, args=(base, visitor, stop, seen))]
        for watcher in watchers:
            watcher.start()
        environment = {**os.environ, "PYTHONPATH": str(source), "PAPERTIDE_DATA_DIR":
                       str(data_dir), "PAPERTIDE_SEARCH_MODE": "keyword"}
        started = time.perf_counter()
        importer = subprocess.Popen([sys.executable, "-m", "papertide", "import", "--strict",
                                     str(papers_file)], env=environment,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            library = import_library(base, visitor, bibtex(visitor.titles))
            library_seconds = time.perf_counter() - started
            importer.wait()
            import_seconds = time.perf_counter() - started
        finally:
            stop.set()
            for watcher in watchers:
                watcher.join()
    health = seen.health_ms
    print(f"  library import ({LIBRARY_ENTRIES:,} entries): {library}, {library_seconds:.1f} s")
    print(f"  papertide import --strict: exit {importer.returncode}, {import_seconds:.1f} s")
    print(f"  /api/health: {len(health):,} answers, {seen.health_failures} failed; "
          f"p50 {percentile(health, 50):.0f} ms, p99 {percentile(health, 99):.0f} ms, "
          f"max {max(health):.0f} ms (target p99 <= {TARGET_P99_MS:.0f} ms)")
    print(f"  votes: {dict(seen.votes)}; slowest {max(seen.vote_ms or [0]):.0f} ms")
    print(f"  load average (1 min) at the end: {load_average():.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000,
                        help="synthetic papers for `papertide import --strict` (100,000)")
    parser.add_argument("--baseline-ref", default="", help="also measure this git ref's code")
    parser.add_argument("--data-dir", type=Path,
                        help="start from a copy of this data dir (say, the embedded one of "
                             "mixed_load.py) instead of a fresh import of the sample")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    print(f"{cpu}; health every {HEALTH_EVERY * 1000:.0f} ms, a vote every "
          f"{VOTE_EVERY * 1000:.0f} ms")
    with tempfile.TemporaryDirectory(prefix="papertide-responsive-") as scratch_name:
        scratch = Path(scratch_name)
        papers_file = scratch / "papers.jsonl.gz"
        write_synthetic(papers_file, args.papers, seed=15)
        template = scratch / "template"
        if args.data_dir is not None:
            shutil.copytree(args.data_dir, template)
        visitor = prepare(template)
        candidates = [("new", REPO / "src")]
        if args.baseline_ref:
            (scratch / "baseline").mkdir()
            candidates.insert(0, (f"baseline {args.baseline_ref}",
                                  export_code(args.baseline_ref, scratch / "baseline")))
        for name, source in candidates:
            data_dir = scratch / f"data-{len(name)}"
            shutil.copytree(template, data_dir)
            print(f"{name}:")
            measure(source, data_dir, visitor, papers_file)


if __name__ == "__main__":
    main()
