"""``papertide embed``, and the progress display embedding and reindexing share."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from tqdm import tqdm

from papertide.app import Papertide
from papertide.cli.context import GlobalOptions, opened_service, pass_options

LINE_EVERY_SECONDS = 30.0


@contextmanager
def counted_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield ``progress(done, total)``: a bar on a terminal, a line now and then elsewhere."""
    if sys.stderr.isatty():
        with tqdm(desc=label, unit=" papers", unit_scale=True, leave=False,
                  file=sys.stderr) as bar:

            def draw(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            yield draw
        return
    last = time.monotonic()

    def log(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= LINE_EVERY_SECONDS or done >= total:
            last = time.monotonic()
            click.echo(f"{label}: {done:,} of {total:,} papers", err=True)

    yield log


def embed_and_index(service: Papertide, rebuild_index: bool, reembed: bool) -> None:
    """Rebuild (or catch up) the vector index, then embed what lacks a current vector."""
    with counted_progress("vector index") as progress:
        synced = service.sync_vector_index(rebuild=rebuild_index, progress=progress)
    if synced.rebuilt or synced.indexed:
        click.echo(f"vector index {'rebuilt' if synced.rebuilt else 'updated'}: "
                   f"{synced.indexed:,} vectors")
    with counted_progress("embedding") as progress:
        started = time.perf_counter()
        report = service.embed_pending(progress=progress, reembed=reembed)
        seconds = time.perf_counter() - started
    rate = f" ({report.embedded / seconds:,.0f} papers/s)" if report.embedded and seconds else ""
    click.echo(f"embedded {report.embedded:,} papers{rate}; {report.unchanged:,} unchanged")
    if report.taken_over:
        click.echo(f"{_ranges(report.taken_over)} taken over from processes that stopped "
                   "mid-way (their lease ran out)")
    in_flight = [held for held in service.store.embedding_ranges(service.semantic.model_name)
                 if held[2] == "claimed"]
    if in_flight:
        click.echo(f"{_ranges(len(in_flight))} held by other processes: they embed them, "
                   "or the next run takes them over once the holder's lease runs out")
    else:
        click.echo(service.embedding_status().describe())


def _ranges(count: int) -> str:
    return f"{count:,} range{'s' if count != 1 else ''} of papers"


@click.command("embed")
@click.option("--all", "reembed", is_flag=True,
              help="Recompute every vector, not only those of new or changed papers (other "
                   "processes embedding meanwhile join in, keeping vectors whose text is "
                   "unchanged).")
@pass_options
def embed_command(options: GlobalOptions, reembed: bool) -> None:
    """Compute the vectors semantic and hybrid search need, with a progress bar.

    Embeds papers that are new, changed, or embedded by another model (the
    embedding_model setting), in claimed ranges of 256 papers: interrupting
    loses at most one range. The server and the workers do the same in the
    background, and every process embedding at once takes ranges of its own,
    so running this on several machines (or beside the workers) shares the work.
    """
    with opened_service(options.settings()) as service:
        embed_and_index(service, rebuild_index=False, reembed=reembed)
