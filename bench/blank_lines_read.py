"""Reading a gzip of nothing but newlines: how fast blank lines are passed over.

A file of blank lines (an editor's slip, a broken export) once took minutes
to read line by line; runs of them are now skipped a buffer at a time.
Prints the median of several reads of ``--lines`` newlines, compressed.

    .venv/bin/python bench/blank_lines_read.py --lines 50000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import tempfile
import time
from pathlib import Path

from benchlib import load_average, median
from papertide.sources.files import read_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "newlines.jsonl.gz"
        path.write_bytes(gzip.compress(b"\n" * arguments.lines))
        seconds = []
        for _ in range(arguments.runs):
            started = time.perf_counter()
            items = sum(1 for _ in read_records(path, dt.datetime.now(dt.UTC)))
            seconds.append(time.perf_counter() - started)
            assert items == 0
    print(f"{arguments.lines:,} blank lines, gzip: "
          f"median {median(seconds):.2f} s over {arguments.runs} runs, "
          f"{arguments.lines / median(seconds) / 1e6:.0f} M lines/s; load {load_average():.1f}")


if __name__ == "__main__":
    main()
