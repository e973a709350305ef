"""A newcomer's first run: `papertide serve --sample` on an empty data dir, timed.

Starts the server as `scripts/run` does (after its install step) in a child
process on a loopback port, then polls its API and prints: when it answered
at all (the sample is imported before it listens), when it first answered a
search by meaning without falling back to keywords, and what the sample holds
(papers with authors and categories, the week's top 50 with a positive
signal, the top 10 of the day, week and month windows). Only 127.0.0.1 is
contacted.

    .venv/bin/python bench/first_run.py            # a fresh temporary data dir, 3 runs
    .venv/bin/python bench/first_run.py --runs 1 --keep-model
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

QUERY = "teaching robots to grasp objects"
TIMEOUT_SECONDS = 900


def free_port_number() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read())


def first_run(data_dir: Path) -> tuple[float, float, str]:
    """Seconds to the first answer and to the first semantic answer, and the server's port."""
    port = free_port_number()
    base = f"http://127.0.0.1:{port}"
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith("PAPERTIDE_")}
    environ |= {"PAPERTIDE_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "serve.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--sample", "--host", "127.0.0.1",
         "--port", str(port)], env=environ, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL)
    up = semantic = 0.0
    url = f"{base}/api/search?" + urllib.parse.urlencode({"q": QUERY, "mode": "semantic"})
    try:
        while not up and time.monotonic() - started < TIMEOUT_SECONDS:
            try:
                get_json(f"{base}/api/health")
                up = time.monotonic() - started
            except (OSError, urllib.error.URLError):
                if process.poll() is not None:
                    raise SystemExit("the server stopped: "
                                     + (data_dir / "serve.log").read_text()[-2000:]) from None
                time.sleep(0.25)  # not listening yet: the sample is being imported
        while up and time.monotonic() - started < TIMEOUT_SECONDS:
            answer = get_json(url)  # waits while the model is exported and loaded
            if answer["mode"] == "semantic" and answer["fallback"] is None:
                semantic = time.monotonic() - started
                break
            time.sleep(0.25)
        if semantic:
            describe(base)
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
    return up, semantic, base


def describe(base: str) -> None:
    """What the first screen shows: metadata coverage, signals, the three windows."""
    health = get_json(f"{base}/api/health")
    print(f"papers: {health['papers']:,}")
    for window in ("day", "week", "month"):
        listing = get_json(f"{base}/api/trending?window={window}&limit=50")
        papers = listing["papers"]
        positive = sum(1 for paper in papers if _positive(paper["signals"]))
        print(f"\n{window}: as of {listing['as_of']}, top {len(papers)} with a positive "
              f"signal: {positive}; with authors and categories: "
              f"{sum(1 for paper in papers if paper['authors'] and paper['categories'])}")
        for paper in papers[:10]:
            summary = paper["signals"]["summary"] or "-"
            print(f"  #{paper['rank']:>2} {paper['arxiv_id']} {paper['title'][:60]} | {summary}")


def _positive(signals: dict[str, Any]) -> bool:
    return bool(signals["hf_upvotes"] or signals["github_stars"] or signals["front_page"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep-model", action="store_true",
                        help="reuse the exported model between runs (as a second start would)")
    args = parser.parse_args()
    ups: list[float] = []
    semantics: list[float] = []
    with tempfile.TemporaryDirectory(prefix="papertide-first-run-") as scratch:
        for run in range(args.runs):
            data_dir = Path(scratch) / f"data-{run}"
            if args.keep_model and run:
                shutil.copytree(Path(scratch) / "data-0" / "models", data_dir / "models",
                                symlinks=True)
            up, semantic, _ = first_run(data_dir)
            print(f"\nrun {run + 1}: server answering after {up:.1f} s, first semantic answer "
                  f"after {semantic:.1f} s" if semantic else f"\nrun {run + 1}: no semantic "
                  f"answer in {TIMEOUT_SECONDS} s (server up after {up:.1f} s)")
            ups.append(up)
            semantics.append(semantic)
    print(f"\nmedian of {args.runs}: server answering {statistics.median(ups):.1f} s, "
          f"first semantic answer {statistics.median(semantics):.1f} s")


if __name__ == "__main__":
    main()
