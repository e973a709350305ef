"""Index a large import from a second process, beside the one that stores it.

The keyword index can follow an import from a thread (``sync.indexing_alongside``):
tantivy indexes on the second core, but the Python half of indexing (reading the
papers back, building the documents) shares the importing process's GIL with
parsing and storing, and at a million papers that serialised Python was the
bound (bench/README.md). A second process has its own interpreter, so storing
and indexing each get a core. Starting one costs about half a second, so small
imports keep the thread (``FOLLOWER_PROCESS_BYTES``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path

from papertide.exceptions import PapertideError
from papertide.search.sync import FOLLOW_PAUSE_SECONDS, sync_keyword_index
from papertide.settings import Settings

# From this much input (compressed or not) an import is indexed by a second process:
# the bundled sample (6 MB, 10,808 papers) stays on a thread.
FOLLOWER_PROCESS_BYTES = 32_000_000
# How long the importer waits for the follower to stop after the import.
STOP_TIMEOUT_SECONDS = 600.0


def worth_a_process(paths: Sequence[Path]) -> bool:
    """True when the files are large enough to pay for starting a process."""
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            return False  # the import reports the missing file
    return total >= FOLLOWER_PROCESS_BYTES


@contextmanager
def indexing_in_process(settings: Settings) -> Iterator[None]:
    """Index committed batches from a child process while the caller stores more.

    The child stops after its current batch once the block ends; the caller then
    runs a final ``sync_keyword_index`` for the last batches (and for any error:
    the child only gives up, it reports nothing).
    """
    context = multiprocessing.get_context("spawn")  # no fork of threads or connections
    stop = context.Event()
    child = context.Process(target=follow, args=(settings, stop),
                            name="papertide-index-follower", daemon=True)
    try:
        child.start()
    except OSError:
        yield  # no second process here: the final sync indexes everything, only later
        return
    try:
        yield
    finally:
        stop.set()
        child.join(STOP_TIMEOUT_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()


def follow(settings: Settings, stop: Event) -> None:
    """The child: sync the keyword index until told to stop."""
    from papertide.search.index_factory import open_keyword_index
    from papertide.store.factory import open_store

    try:
        store = open_store(settings.resolved_database_url, pool_size=1)
    except (PapertideError, KeyboardInterrupt):
        return
    try:
        index = open_keyword_index(settings, store)
        try:
            while not stop.is_set():
                sync_keyword_index(store, index)
                stop.wait(FOLLOW_PAUSE_SECONDS)
        finally:
            index.close()
    except (PapertideError, KeyboardInterrupt):
        return  # the importer's final sync reports it; Ctrl-C reaches the importer too
    finally:
        store.close()
