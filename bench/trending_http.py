"""/trending under load: requests per second and p99 latency, 50 clients on loopback.

Serves a data dir with the bundled sample (11k papers) plus bulk-inserted
upvotes through ``papertide serve`` (one uvicorn worker) in a child process,
then drives it for ``--seconds`` with ``wrk`` when installed (Debian package
``wrk``), else with a small asyncio HTTP/1.1 client in this process. Only
127.0.0.1 is contacted. Anonymous visitors get the cached rendered page; the
signed-in run (a session cookie) renders every page, for comparison.

    nice -n 10 .venv/bin/python bench/trending_http.py            # 20 s per run
    .venv/bin/python bench/trending_http.py --client python --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchlib import OUT_DIR, Table, database_path, opened_app, percentile, sample_path

TARGET_RPS = 500
TARGET_P99_MS = 50.0
PATHS = ("/trending", "/", "/trending?window=day")


def prepare(data_dir: Path, votes: int) -> str:
    """The sample plus upvotes; returns a session cookie for the signed-in runs."""
    with opened_app(data_dir) as app:
        if app.store.count_papers() == 0:
            with sample_path() as path:
                app.import_files([path])
        accounts = app.community.accounts
        user, _ = accounts.add_user("bench@example.org")
        link = accounts.sign_in_link(user.email)
        cookie = accounts.complete_sign_in(link.split("token=")[1]).cookie
        latest = app.store.latest_announced_date()
        assert latest is not None
        ids = [arxiv_id for arxiv_id, _ in app.store.announced_between(
            latest - dt.timedelta(days=30), latest + dt.timedelta(days=1))]
    last_second = int(dt.datetime.combine(latest, dt.time(), dt.UTC).timestamp())
    connection = sqlite3.connect(database_path(data_dir))
    if connection.execute("SELECT count(*) FROM votes").fetchone()[0] == 0:
        rng = random.Random(1)
        connection.executemany("INSERT OR IGNORE INTO users (id, email, created_at) "
                               "VALUES (?, ?, '2026-01-01T00:00:00+00:00')",
                               ((i, f"voter{i}@example.org") for i in range(10, 2_010)))
        connection.executemany("INSERT OR IGNORE INTO votes VALUES (?, ?, ?)", (
            (rng.randint(10, 2_009), rng.choice(ids), last_second - rng.randint(0, 7 * 86_400))
            for _ in range(votes)))
        connection.commit()
    connection.close()
    return cookie


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(data_dir),
           "PAPERTIDE_TOPICS_REFRESH_MINUTES": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def run_wrk(url: str, seconds: int, clients: int, cookie: str | None) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if cookie:
        command += ["-H", f"Cookie: papertide_session={cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50_ms": _ms(latencies["50"]), "p99_ms": _ms(latencies["99"]),
            "errors": float(errors.group(1)) if errors else 0.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def _client(port: int, path: str, cookie: str | None, until: float,
                  latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = f"Cookie: papertide_session={cookie}\r\n" if cookie else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()
    while time.perf_counter() < until:
        started = time.perf_counter()
        writer.write(request)
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - started) * 1000)
        if b" 200 " not in status:
            errors.append(1)
    writer.close()


def run_python(port: int, path: str, seconds: int, clients: int,
               cookie: str | None) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[int] = []

    async def drive() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, path, cookie, until, latencies, errors)
                               for _ in range(clients)))

    asyncio.run(drive())
    return {"rps": len(latencies) / seconds, "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "errors": float(len(errors))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--votes", type=int, default=20_000)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--data-dir", type=Path, default=OUT_DIR / "trending-http")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    cookie = prepare(args.data_dir, args.votes)
    port = free_port()
    server = start_server(args.data_dir, port)
    figures: dict[str, list[dict[str, float]]] = {}
    try:
        cases = [(path, None) for path in PATHS] + [("/trending", cookie)]
        for path, session in cases:
            url = f"http://127.0.0.1:{port}{path}"
            urllib.request.urlopen(url, timeout=30).read()  # warm the list and the cache
            name = f"{path} ({'signed in' if session else 'anonymous'})"
            for _ in range(args.runs):
                result = (run_wrk(url, args.seconds, args.clients, session) if use_wrk
                          else run_python(port, path, args.seconds, args.clients, session))
                figures.setdefault(name, []).append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = []
    for name, results in figures.items():
        rps = sorted(r["rps"] for r in results)[len(results) // 2]
        p99 = sorted(r["p99_ms"] for r in results)[len(results) // 2]
        p50 = sorted(r["p50_ms"] for r in results)[len(results) // 2]
        met = "yes" if rps >= TARGET_RPS and p99 <= TARGET_P99_MS else "no"
        rows.append((name, f"{rps:,.0f}", f"{p50:.1f}", f"{p99:.1f}",
                     f"{sum(r['errors'] for r in results):.0f}", met))
    print(Table(f"{args.clients} clients, {args.seconds} s x {args.runs} runs, "
                f"{'wrk' if use_wrk else 'asyncio client'}; medians "
                f"(target >= {TARGET_RPS} req/s, p99 <= {TARGET_P99_MS:.0f} ms)",
                ("page", "req/s", "p50 ms", "p99 ms", "errors", "target"), tuple(rows)).render())
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
