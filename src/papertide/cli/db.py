"""``papertide db``: apply the schema migrations, and move a deployment between databases."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import click
from tqdm import tqdm

from papertide.cli.context import GlobalOptions, pass_options
from papertide.exceptions import ConfigError, ConflictError, SchemaVersionError
from papertide.store.base import Store
from papertide.store.factory import open_store
from papertide.store.sql.mixin import SqlMixin
from papertide.store.transfer.copy import CopyReport, copied_tables, copy_database
from papertide.store.transfer.probe import DatabaseState, probe_database
from papertide.store.transfer.rows import count_rows
from papertide.store.transfer.verify import TableCheck, compare

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@click.group("db")
def db_group() -> None:
    """Upgrade the database schema, or copy a whole deployment into another database."""


@db_group.command("upgrade")
@click.option("--database-url", help="The database to upgrade (default: the one the settings "
              "name, like every other command).")
@pass_options
def upgrade_command(options: GlobalOptions, database_url: str | None) -> None:
    """Apply the schema migrations this papertide has and the database lacks, then exit.

    Safe to run while other processes start: one migrates, the others wait.
    Running it again changes nothing.
    """
    chosen = GlobalOptions(options.config_file, options.data_dir,
                           database_url or options.database_url)
    url = chosen.settings().resolved_database_url
    before = probe_database(url)
    with _opened(url) as store:
        after = store.schema_version
    engine = ENGINE_NAMES[before.engine]
    if after == before.version:
        click.echo(f"{before.shown} ({engine}): schema version {after}, up to date")
    else:
        click.echo(f"{before.shown} ({engine}): schema version {before.version} → {after}")


@db_group.command("copy")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="The database to copy (it is only read).")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="An empty database to copy into (or one an interrupted copy left).")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=2_000, show_default=True,
              help="Rows per transaction on the target.")
@click.option("--verify-only", is_flag=True,
              help="Only compare the two databases, table by table; write nothing.")
def copy_command(source_url: str, target_url: str, batch_size: int, verify_only: bool) -> None:
    """Copy every table of a papertide database into another (SQLite or PostgreSQL).

    Stop papertide on the source first. The copy is resumable: after an
    interruption, run the same command again and it continues where it
    stopped. It ends by comparing row counts and a checksum of every table,
    and exits with status 1 if anything differs.
    """
    if not source_url.strip() or not target_url.strip():
        raise click.UsageError("--from and --to each need a database URL")
    source_state = probe_database(source_url)
    target_state = probe_database(target_url)
    if (source_state.engine, source_state.location) == (target_state.engine,
                                                        target_state.location):
        raise ConfigError("--from and --to name the same database")
    _check_source(source_state)
    _check_target(target_state, verify_only)
    with ExitStack() as stack:
        source = _sql(stack.enter_context(_opened(source_url)))
        target = _sql(stack.enter_context(_opened(target_url)))
        tables = copied_tables(source, target)
        if not verify_only:
            total = sum(count_rows(source, table) for table in tables)
            try:
                with _bar("copying", total) as advance:
                    report = copy_database(source, target, tables, batch_size,
                                           lambda _table, rows: advance(rows))
            except KeyboardInterrupt:
                click.echo("The copy stopped after its last whole batch; run the same "
                           "command again to continue.", err=True)
                raise
            click.echo(_copy_summary(report, source_state, target_state))
        with _bar("verifying", 2 * sum(count_rows(source, table) for table in tables)) as advance:
            checks = compare(source, target, tables, advance)
    _echo_checks(checks)
    different = [check.table for check in checks if not check.matches]
    if different:
        raise ConflictError(
            f"the target differs from the source in {', '.join(different)}: if papertide ran "
            "on the source during the copy, stop it, empty the target and copy again"
        )
    click.echo("Every table matches.")
    if not verify_only:
        click.echo(
            f"Next: with the settings of the new deployment (PAPERTIDE_DATABASE_URL="
            f"{target_state.shown}), run `papertide reindex` to build the search indexes "
            "from the copied papers and vectors (nothing is embedded again)."
        )


def _check_source(state: DatabaseState) -> None:
    if not state.exists:
        raise ConfigError(f"there is no database at {state.shown}")
    if not state.is_papertide:
        what = f"holds {state.other_tables} other tables" if state.other_tables else "is empty"
        raise ConfigError(f"{state.shown} is not a papertide database (it {what})")
    if state.version > state.latest_version:
        raise SchemaVersionError(
            f"{state.shown} is at schema version {state.version}, newer than this papertide "
            f"knows ({state.latest_version}): copy with the papertide that wrote it"
        )
    if state.version < state.latest_version:
        raise ConfigError(
            f"{state.shown} is at schema version {state.version}, this papertide writes "
            f"{state.latest_version}: run `papertide db upgrade --database-url "
            f"{state.shown}` first, then copy again"
        )


def _check_target(state: DatabaseState, verify_only: bool) -> None:
    if state.other_tables:
        raise ConflictError(f"{state.shown} holds {state.other_tables} tables that are not "
                            "papertide's: copy into a new, empty database")
    if verify_only:
        _check_source(state)  # comparing needs a whole papertide database on this side too


def _copy_summary(report: CopyReport, source: DatabaseState, target: DatabaseState) -> str:
    if report.already_finished:
        return f"{target.shown} holds a finished copy of {source.shown}; comparing again."
    resumed = " (resumed an interrupted copy)" if report.resumed else ""
    return (f"Copied {report.copied_rows:,} rows in {len(report.tables)} tables from "
            f"{source.shown} to {target.shown}{resumed}.")


def _echo_checks(checks: list[TableCheck]) -> None:
    width = max([len("table"), *(len(check.table) for check in checks)])
    click.echo(f"{'table':<{width}}  {'source rows':>11}  {'target rows':>11}  checksum")
    for check in checks:
        verdict = "ok" if check.source.checksum == check.target.checksum else "DIFFERS"
        click.echo(f"{check.table:<{width}}  {check.source.rows:>11,}  "
                   f"{check.target.rows:>11,}  {verdict}")


@contextmanager
def _opened(url: str) -> Iterator[Store]:
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def _sql(store: Store) -> SqlMixin:
    if not isinstance(store, SqlMixin):
        raise ConfigError(f"{type(store).__name__} cannot be copied table by table")
    return store


@contextmanager
def _bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """Rows done, on a terminal only (as `cli.progress.progress_bar` does for papers)."""
    if not sys.stderr.isatty():
        yield lambda _count: None
        return
    with tqdm(desc=label, total=total, unit=" rows", unit_scale=True, leave=False,
              file=sys.stderr) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        yield advance
