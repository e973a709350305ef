"""Mixed traffic against `papertide serve`: requests/s and latency, old code beside new.

The site a visitor sees: the home page, trending, paper pages, the search page
in hybrid mode and the JSON search API, over 20 realistic queries, from 50
(then 200) concurrent connections driven by ``wrk`` (Debian package ``wrk``;
``scripts/install-system-deps --bench`` installs it) on 127.0.0.1 only.

The data dir holds the bundled sample, embedded (prepared once with
``papertide import --sample`` and ``papertide embed``, about 4 minutes on an
idle 2-core machine). Every server gets its own copy of it. The baseline is the
code of ``--baseline-ref`` (exported with ``git archive`` into a temp folder
and run with its own PYTHONPATH) on one process, as it can only run; the new
code runs with ``--workers`` (``--new-ref`` measures a ref instead of this working
tree; ``--baseline-workers`` gives the baseline as many processes). Runs alternate
baseline and new, so both see the same machine; the table gives each run, the
medians, and the servers' CPU time per request, which a loaded machine does not
inflate as it does the latencies.

    .venv/bin/python bench/mixed_load.py --data-dir bench/out/mixed-load-data
    .venv/bin/python bench/mixed_load.py --seconds 30 --runs 3 --workers 2
    .venv/bin/python bench/mixed_load.py --new-ref HEAD --baseline-ref main --baseline-workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

from benchlib import OUT_DIR, load_average

REPO = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "mixed_load.lua"
QUERIES = (
    "diffusion models for video generation", "large language model reasoning",
    "reinforcement learning from human feedback", "vision transformer",
    "retrieval augmented generation", "multimodal benchmark", "speech recognition",
    "code generation agents", "mixture of experts", "quantization of large language models",
    "robot manipulation policy", "3d gaussian splatting", "world models",
    "long context attention", "text to image alignment", "medical image segmentation",
    "graph neural networks", "tool use agents", "chain of thought reasoning",
    "preference optimization",
)
# shares of the mix: (kind, how many of every 100 requests)
MIX = (("home", 15), ("trending", 10), ("paper", 30), ("search", 30), ("api", 15))
STARTUP_SECONDS = 300
READY_PROBES = 10
TARGET_RPS = 400
TARGET_P99_MS = 300.0


def paths_for(paper_ids: list[str], count: int = 1_000, seed: int = 15) -> list[str]:
    """``count`` request paths in the mix's shares, shuffled (the same for every server)."""
    rng = random.Random(seed)
    kinds = [kind for kind, share in MIX for _ in range(share)]
    paths = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        query = QUERIES[rng.randrange(len(QUERIES))]
        paths.append({
            "home": "/",
            "trending": "/trending",
            "paper": f"/papers/{rng.choice(paper_ids)}",
            "search": "/search?" + urlencode({"q": query, "mode": "hybrid"}),
            "api": "/api/search?" + urlencode({"q": query}),
        }[kind])
    rng.shuffle(paths)
    return paths


def prepare(data_dir: Path, source: Path) -> None:
    """Import the sample and embed it, once (the server would embed it anyway), with the
    oldest code measured: newer code upgrades its own copy, older code cannot open a
    database of a newer schema."""
    environment = {**os.environ, "PYTHONPATH": str(source), "HF_HUB_OFFLINE": "1"}
    # topics too, so that no server recomputes them in the first minutes it is measured
    for command in (["import", "--sample"], ["embed"], ["topics", "--recompute"]):
        subprocess.run([sys.executable, "-m", "papertide", "--data-dir", str(data_dir),
                        *command], env=environment, check=True)


def paper_ids(data_dir: Path, limit: int = 300) -> list[str]:
    import sqlite3

    with sqlite3.connect(data_dir / "papertide.db") as connection:
        rows = connection.execute("SELECT arxiv_id FROM papers ORDER BY announced_date DESC "
                                  "LIMIT ?", (limit,)).fetchall()
    return [row[0] for row in rows]


def export_code(ref: str, into: Path) -> Path:
    """The package of ``ref`` as files (``git archive``), without touching any checkout."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_group_cpu(group: int) -> float:
    """CPU seconds used so far by the live processes of process group ``group`` (the
    server and its web processes): the figure that a loaded machine does not inflate."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    base: str
    group: int  # the server's process group (it starts a session of its own)


@contextmanager
def server(source: Path, data_dir: Path, workers: int) -> Iterator[Server]:
    """``papertide serve`` of the code in ``source`` on its own copy of ``data_dir``."""
    with tempfile.TemporaryDirectory(prefix="papertide-load-") as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(data_dir, copy)
        port = free_port()
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith("PAPERTIDE_")}
        environment.update({"PYTHONPATH": str(source), "HF_HUB_OFFLINE": "1",
                            "PAPERTIDE_DATA_DIR": str(copy)})
        command = [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1",
                   "--port", str(port)]
        if workers > 1:
            command += ["--workers", str(workers)]
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base, process)
            yield Server(base, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    """The keyword index has caught up (a newer code's copy may rebuild it in the
    background first) and hybrid searches really rank by meaning, READY_PROBES in a row
    (so that every web process has answered one)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    probes = [base + "/api/search?" + urlencode({"q": query, "mode": "hybrid"})
              for query in QUERIES[:READY_PROBES]]
    answered = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode})")
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=30) as response:
                caught_up = json.load(response).get("search_index", "ready") == "ready"
            with urllib.request.urlopen(probes[answered], timeout=30) as response:
                hybrid = json.load(response).get("mode") == "hybrid"
            answered = answered + 1 if caught_up and hybrid else 0
            if answered == READY_PROBES:
                return
            if answered:
                continue  # the next probe at once
        except OSError:
            answered = 0
        time.sleep(0.5)
    raise SystemExit("the server did not get ready (is the data dir embedded?)")


def run_wrk(base: str, paths_file: Path, seconds: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout",
               "10s", "-s", str(LUA_SCRIPT), base, "--", str(paths_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", output))
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    server_errors = int(_find(r"5xx responses: (\d+)", output))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    return {"rps": rps, "p50_ms": _ms(latencies["50"]), "p99_ms": _ms(latencies["99"]),
            "non_2xx": float(non_2xx.group(1)) if non_2xx else 0.0, "5xx": float(server_errors),
            "socket_errors": float(sum(int(n) for n in sockets.groups())) if sockets else 0.0}


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise SystemExit(f"unexpected wrk output:\n{text}")
    return found.group(1)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def still_alive(base: str) -> None:
    """After a run, the server still answers (no crash, no wedged event loop)."""
    with urllib.request.urlopen(base + "/api/health", timeout=30) as response:
        if response.status != 200:
            raise SystemExit(f"the server is unwell after the run: {response.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=OUT_DIR / "mixed-load-data")
    parser.add_argument("--baseline-ref", default="e164aac",
                        help="git ref of the code to compare with ('' to skip)")
    parser.add_argument("--new-ref", default="",
                        help="git ref of the code to measure (default: this working tree)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-workers", type=int, default=1,
                        help="web processes of the baseline (1: all the oldest code can run)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup-seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: scripts/install-system-deps --bench")
    cpu_model = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    with tempfile.TemporaryDirectory(prefix="papertide-baseline-") as scratch:
        new_source = (export_code(args.new_ref, Path(scratch) / "new") if args.new_ref
                      else REPO / "src")
        candidates = [(args.new_ref or "new", new_source, args.workers)]
        if args.baseline_ref:
            candidates.insert(0, (f"baseline {args.baseline_ref}",
                                  export_code(args.baseline_ref, Path(scratch) / "baseline"),
                                  args.baseline_workers))
        if not (args.data_dir / "papertide.db").exists():
            prepare(args.data_dir, candidates[0][1])
        paths_file = Path(scratch) / "paths.txt"
        paths_file.write_text("\n".join(paths_for(paper_ids(args.data_dir))) + "\n")
        results: dict[tuple[str, int], list[dict[str, float]]] = {}
        print(f"{cpu_model}; {args.seconds} s per run, wrk -t2; mix {dict(MIX)}; "
              f"{len(QUERIES)} queries")
        print("| code | processes | connections | run | req/s | p50 ms | p99 ms | server CPU "
              "ms/req | non-2xx | 5xx | socket errors | load (1 min) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in range(1, args.runs + 1):
            for name, source, workers in candidates:
                with server(source, args.data_dir, workers) as running:
                    run_wrk(running.base, paths_file, args.warmup_seconds, 50)
                    for connections in args.connections:
                        cpu_before = process_group_cpu(running.group)
                        figures = run_wrk(running.base, paths_file, args.seconds, connections)
                        figures["cpu_ms"] = (1000 * (process_group_cpu(running.group)
                                                     - cpu_before)
                                             / max(figures["rps"] * args.seconds, 1))
                        still_alive(running.base)
                        results.setdefault((name, connections), []).append(figures)
                        print(f"| {name} | {workers} | {connections} | {run} "
                              f"| {figures['rps']:.0f} | {figures['p50_ms']:.0f} "
                              f"| {figures['p99_ms']:.0f} | {figures['cpu_ms']:.2f} "
                              f"| {figures['non_2xx']:.0f} | {figures['5xx']:.0f} "
                              f"| {figures['socket_errors']:.0f} | {load_average():.1f} |",
                              flush=True)
        print("\nmedians")
        for (name, connections), runs in results.items():
            rps = median(run["rps"] for run in runs)
            p99 = median(run["p99_ms"] for run in runs)
            p50 = median(run["p50_ms"] for run in runs)
            cpu = median(run["cpu_ms"] for run in runs)
            errors = sum(run["non_2xx"] + run["socket_errors"] for run in runs)
            print(f"{name:>20} at {connections:>3} connections: {rps:6.0f} req/s, "
                  f"p50 {p50:5.0f} ms, p99 {p99:5.0f} ms, server CPU {cpu:5.2f} ms/req, "
                  f"{errors:.0f} errors")
    print(f"target at 50 connections: >= {TARGET_RPS} req/s, p99 <= {TARGET_P99_MS:.0f} ms, "
          "0 errors")


if __name__ == "__main__":
    main()
