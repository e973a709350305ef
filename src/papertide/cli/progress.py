"""A progress bar on a terminal, silence elsewhere (pipes, CI logs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a bar only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield lambda _count: None
        return
    with tqdm(desc=label, unit=" papers", unit_scale=True, leave=False, file=sys.stderr) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        yield advance
