"""A busy machine for the length of a block, like ``stress --cpu N``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SPIN = "while True: pass"


@contextmanager
def cpu_hogs(count: int | None = None) -> Iterator[int]:
    """Spin ``count`` processes (two per CPU by default) until the block ends; yields count."""
    wanted = count if count is not None else 2 * (os.cpu_count() or 1)
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL)
            for _ in range(wanted)]
    try:
        yield wanted
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()
