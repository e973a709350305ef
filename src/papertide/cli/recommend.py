"""Commands for personal recommendations: library import, and a person's picks."""

from __future__ import annotations

from pathlib import Path

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.output import echo_json
from papertide.exceptions import NotFoundError
from papertide.recommend.library_files import MAX_FILE_BYTES

UNMATCHED_SHOWN = 50


@click.group("library")
def library_group() -> None:
    """People's libraries: import a BibTeX, CSL JSON, RIS or id-list export."""


@library_group.command("import")
@click.argument("email")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@pass_options
def library_import(options: GlobalOptions, email: str, file: Path) -> None:
    """Save the papers of FILE found in this papertide to EMAIL's library."""
    if file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(
            f"{file.name} is {file.stat().st_size / 1_048_576:.0f} MB; library files up to "
            f"{MAX_FILE_BYTES // 1_048_576} MB are accepted: export a smaller collection")
    with opened_service(options.settings()) as service:
        user = service.store.user_by_email(email.strip().lower())
        if user is None:
            raise NotFoundError(f"no user {email}: add one with `papertide user add {email}`")
        report = service.recommendations.import_library(user.id, file.read_bytes(), file.name)
    click.echo(report.summary())
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.unmatched:
        click.echo("not found:")
        for entry in report.unmatched[:UNMATCHED_SHOWN]:
            ident = (f" (arXiv:{entry.arxiv_id})" if entry.arxiv_id
                     else f" (doi:{entry.doi})" if entry.doi else "")
            click.echo(f"  {entry.label}{ident}")
        if len(report.unmatched) > UNMATCHED_SHOWN:
            click.echo(f"  … and {len(report.unmatched) - UNMATCHED_SHOWN} more")


@click.command("recommend")
@click.argument("email")
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def recommend_command(options: GlobalOptions, email: str, limit: int, as_json: bool) -> None:
    """Print the papers picked for EMAIL, each with why."""
    with opened_service(options.settings()) as service:
        user = service.store.user_by_email(email.strip().lower())
        if user is None:
            raise NotFoundError(f"no user {email}")
        found = service.recommendations.for_user(user.id, limit)
    if as_json:
        echo_json({"notice": found.notice, "picks": [
            {"arxiv_id": pick.paper.arxiv_id, "title": pick.paper.title,
             "explanation": pick.explanation} for pick in found.picks]})
        return
    if not found.picks:
        click.echo(found.notice or "nothing picked")
    for rank, pick in enumerate(found.picks, start=1):
        click.echo(f"{rank:>3}. {pick.paper.arxiv_id}  {pick.paper.title}")
        click.echo(f"     why: {pick.explanation}")
