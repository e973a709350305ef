"""Entry point: the ``papertide`` group, global options and error handling."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from papertide import __version__
from papertide.cli.commands import (
    import_command,
    reindex_command,
    search_command,
    serve_command,
    settings_command,
    show_command,
)
from papertide.cli.comments import comments_group
from papertide.cli.community import topics_command, trending_command, user_group
from papertide.cli.context import GlobalOptions
from papertide.cli.db import db_group
from papertide.cli.digest import digest_group
from papertide.cli.follows import follows_command
from papertide.cli.ingest import ingest_group
from papertide.cli.jobs import jobs_command, worker_command
from papertide.cli.recommend import library_group, recommend_command
from papertide.cli.semantic import embed_command
from papertide.exceptions import NotFoundError, PapertideError

EXIT_ERROR = 1
EXIT_NOT_FOUND = 3
EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="papertide")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML settings file (also PAPERTIDE_CONFIG).")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the database and index (also PAPERTIDE_DATA_DIR).")
@click.option("--database-url", help="Database URL, e.g. sqlite:///papertide.db "
              "(also PAPERTIDE_DATABASE_URL).")
@click.pass_context
def cli(
    context: click.Context,
    config_file: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """papertide: trending research papers, self-hosted.

    Collects papers, shows what is new day by day, and searches them.
    Run `papertide COMMAND --help` for each command.
    """
    context.obj = GlobalOptions(config_file, data_dir, database_url)


for command in (import_command, serve_command, search_command, show_command, reindex_command,
                settings_command, ingest_group, worker_command, jobs_command, embed_command,
                digest_group):
    cli.add_command(command)
for command in (user_group, trending_command, topics_command, library_group, recommend_command,
                follows_command, db_group, comments_group):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn papertide errors into a message and an exit code."""
    try:
        cli.main(args=argv, prog_name="papertide", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except NotFoundError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    except PapertideError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
