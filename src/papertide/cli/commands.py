"""The commands: import, serve, search, show, reindex, settings."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from papertide.app import SearchFilters
from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.output import (
    echo_json,
    echo_paper_details,
    echo_paper_summary,
    paper_as_dict,
)
from papertide.cli.progress import progress_bar
from papertide.cli.server_address import recorded_address
from papertide.exceptions import InvalidInputError
from papertide.search.hybrid import SearchMode
from papertide.search.query import parse_date_bound
from papertide.settings import SETTING_SPECS
from papertide.store.urls import redact_url


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sample", is_flag=True,
              help="Import the bundled sample of real papers, with their HF front-page "
                   "sightings and precomputed vectors.")
@click.option("--strict", is_flag=True,
              help="Abort at the first bad line and leave the database as it was.")
@click.option("--max-errors", type=click.IntRange(0), default=20, show_default=True,
              help="How many skipped lines to list (all are counted).")
@pass_options
def import_command(
    options: GlobalOptions, files: tuple[Path, ...], sample: bool, strict: bool, max_errors: int
) -> None:
    """Import papers from JSONL or JSONL.gz FILES.

    Reads the Kaggle arXiv snapshot format and the HF trending corpus format.
    Importing the same file again changes nothing; a newer version of a paper
    updates it and keeps its version history. Bad lines are reported with file
    and line number and skipped (or abort everything with --strict).
    """
    if not files and not sample:
        raise click.UsageError("give one or more FILES, or --sample")
    with opened_service(options.settings()) as service, progress_bar("importing") as advance:
        reports = []
        if sample:
            reports.append(service.import_sample(on_batch=advance))
        if files:
            reports.append(service.import_files(list(files), strict=strict, on_batch=advance))
    for report in reports:
        for error in report.errors[:max_errors]:
            click.echo(f"skipped {error}", err=True)
        if report.skipped > max_errors:
            click.echo(f"... and {report.skipped - max_errors:,} more skipped lines", err=True)
        for name in report.empty_files:
            click.echo(f"{name}: no paper records in it (only blank lines)", err=True)
        click.echo(report.summary())
    cut_short = [error for report in reports for error in report.cut_short]
    if cut_short:
        raise InvalidInputError("; ".join(
            f"{error.path} cannot be read past line {error.line_number - 1:,} (it is cut short "
            "or damaged): the papers before it were imported; get the whole file and import "
            "it again (papers already imported are not repeated)" for error in cut_short))


@click.command("serve")
@click.option("--host", help="Address to listen on (setting: host).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port to listen on (setting: port).")
@click.option("--sample", is_flag=True, help="Import the bundled sample before serving.")
@click.option("--workers", type=click.IntRange(1, 32),
              help="Web server processes sharing the port (setting: serve_workers, default 1); "
                   "about one per core. Only the first writes the search indexes.")
@click.option("--scheduler/--no-scheduler", default=None,
              help="Also run the ingestion schedules in the background, like `papertide worker` "
                   "(setting: serve_scheduler, off by default).")
@pass_options
def serve_command(
    options: GlobalOptions, host: str | None, port: int | None, sample: bool,
    workers: int | None, scheduler: bool | None,
) -> None:
    """Run the web app (pages, JSON API at /api, docs at /docs).

    The port opens at once; a search index that is behind the database (after a
    crash, say) catches up in the background, and search pages say so meanwhile.
    """
    from papertide.ingest.worker import background_scheduler
    from papertide.web.serving import serve

    settings = options.settings(host=host, port=port, serve_scheduler=scheduler,
                                serve_workers=workers)
    with opened_service(settings, web_host=True) as service:
        if sample:
            click.echo(service.import_sample().summary())
        lag = service.search_index_lag()
        if lag.from_database:  # a web host on PostgreSQL builds its own copy
            click.echo(f"search index: copying it from the database in the background "
                       f"({lag.behind:,} changes); the database answers searches meanwhile")
        elif lag.catching_up:  # answer at once; search pages say the index is catching up
            click.echo(f"search index: catching up in the background ({lag.behind:,} changes)")
        service.catch_up_in_background()
        service.start_background_embedding()
        processes = (f" with {settings.serve_workers} processes"
                     if settings.serve_workers > 1 else "")
        click.echo(f"papertide: serving {service.store.count_papers():,} papers on "
                   f"http://{settings.host}:{settings.port}{processes}")
        with background_scheduler(service, settings, settings.serve_scheduler), \
                recorded_address(settings):
            serve(service)


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance",
              show_default=True)
@click.option("--cat", "categories", multiple=True, help="Only these categories (cs.CL, cs...).")
@click.option("--author", "authors", multiple=True, help="Only papers by this author.")
@click.option("--from", "date_from", help="Announced on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", help="Announced on or before (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]),
              help="hybrid (keywords and meaning), keyword or semantic "
                   "(default: the search_mode setting, hybrid).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def search_command(
    options: GlobalOptions,
    query: tuple[str, ...],
    limit: int,
    page: int,
    sort: str,
    categories: tuple[str, ...],
    authors: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    as_json: bool,
    mode: str | None = None,
) -> None:
    """Search papers by keywords and meaning (hybrid), or by either alone (--mode).

    QUERY accepts "quoted phrases", -excluded words, author:NAME, cat:CATEGORY,
    from:DATE and to:DATE, and word* prefixes.
    """
    filters = SearchFilters(
        authors=authors,
        categories=categories,
        date_from=parse_date_bound(date_from, upper=False) if date_from else None,
        date_to=parse_date_bound(date_to, upper=True) if date_to else None,
    )
    with opened_service(options.settings()) as service:
        results = service.search(" ".join(query), page=page, page_size=limit,
                                 sort="date" if sort == "date" else "relevance", filters=filters,
                                 mode=_search_mode(mode))
    if as_json:
        echo_json({
            "query": results.text, "total": results.page.total,
            "total_exact": results.page.total_exact, "offset": results.page.offset,
            "notices": list(results.notices), "mode": results.mode, "fallback": results.fallback,
            "suggestion": results.suggestion, "total_capped": results.total_capped,
            "filter_hints": [{"filter": hint.kind, "label": hint.label,
                              "matching_without": hint.matching_without}
                             for hint in results.filter_hints],
            "results": [paper_as_dict(paper) | {"score": results.scores.get(paper.arxiv_id)}
                        for paper in results.page.papers],
        })
        return
    for notice in results.notices:
        click.echo(click.style(notice, fg="yellow"), err=True)
    if results.suggestion:
        click.echo(click.style(f"Did you mean: {results.suggestion}", fg="yellow"), err=True)
    for hint in results.filter_hints:
        click.echo(click.style(f"Without {hint.label}: {hint.matching_without:,} papers match",
                               fg="yellow"), err=True)
    first = results.page.offset + 1
    for rank, paper in enumerate(results.page.papers, start=first):
        echo_paper_summary(paper, rank)
        click.echo()
    shown_to = results.page.offset + len(results.page.papers)
    about = "" if results.page.total_exact else "about "
    counted = (f"top {results.page.total:,} by meaning" if results.total_capped
               else f"{about}{results.page.total:,} papers match")
    click.echo(counted + (f"; showing {first}–{shown_to}" if results.page.papers else ""))


def _search_mode(value: str | None) -> SearchMode | None:
    return None if value is None else "keyword" if value == "keyword" else (
        "semantic" if value == "semantic" else "hybrid")


@click.command("show")
@click.argument("arxiv_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def show_command(options: GlobalOptions, arxiv_id: str, as_json: bool) -> None:
    """Show everything stored about one paper (ARXIV_ID like 2502.01341)."""
    with opened_service(options.settings()) as service:
        paper = service.paper(arxiv_id)
    if as_json:
        echo_json(paper_as_dict(paper))
    else:
        echo_paper_details(paper)


@click.command("reindex")
@click.option("--keyword-only", is_flag=True, help="Rebuild only the keyword index.")
@click.option("--reembed", is_flag=True,
              help="Also recompute every paper's vector (slow: hours for a million papers).")
@pass_options
def reindex_command(options: GlobalOptions, keyword_only: bool, reembed: bool) -> None:
    """Rebuild the search indexes from the database.

    The keyword index, then the vector index from the stored vectors; then
    papers without a current vector are embedded (see `papertide embed`).
    """
    from papertide.cli.semantic import embed_and_index

    with opened_service(options.settings()) as service:
        with progress_bar("indexing") as advance:
            done = 0

            def progress(indexed: int, _total: int) -> None:
                nonlocal done
                advance(indexed - done)
                done = indexed

            report = service.sync_search_index(rebuild=True, progress=progress)
        click.echo(f"search index rebuilt: {report.indexed:,} papers")
        if not keyword_only:
            embed_and_index(service, rebuild_index=True, reembed=reembed)


@click.command("settings")
@pass_options
def settings_command(options: GlobalOptions) -> None:
    """Print the resolved settings and where each can be set."""
    settings = options.settings()
    for spec in SETTING_SPECS:
        value = getattr(settings, spec.name)
        if spec.name == "database_url":
            value = redact_url(settings.resolved_database_url)
        elif spec.name == "base_url":
            value = settings.resolved_base_url
        elif spec.name in ("smtp_password", "secret_key") and value:
            value = "(set; hidden)"
        click.echo(f"{spec.name} = {value}")
        click.echo(click.style(f"    PAPERTIDE_{spec.name.upper()}: {spec.help}", dim=True),
                   file=sys.stdout)
