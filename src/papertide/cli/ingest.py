"""``papertide ingest ...``: one-off runs of each source."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.exceptions import ConfigError, InvalidInputError
from papertide.periods import Period, day_period, parse_date, parse_period
from papertide.settings import Settings, parse_categories
from papertide.sources.arxiv_api import MAX_PAGE_SIZE, MAX_RESULTS, SORT_FIELDS, SORT_ORDERS
from papertide.sources.arxiv_oai import METADATA_FORMATS

if TYPE_CHECKING:  # the ingest machinery (httpx...) loads only when a command runs
    from papertide.app import Papertide
    from papertide.ingest.report import IngestReport
    from papertide.ingest.run import Progress
    from papertide.ingest.runtime import Sources

EXIT_INCOMPLETE = 1
JOB_NAMES = ("arxiv-rss", "hf-daily", "arxiv-oai")
Runner = Callable[["Papertide", "Sources", "Progress"], "list[IngestReport]"]


def _common(function: Callable[..., None]) -> Callable[..., None]:
    """Options every ingest command shares."""
    function = click.option("-v", "--verbose", is_flag=True,
                            help="Log each step (pages, retries, notes) on stderr.")(function)
    return click.option("--max-errors", type=click.IntRange(0), default=20, show_default=True,
                        help="How many skipped records to list (all are counted).")(function)


@click.group("ingest")
def ingest_group() -> None:
    """Fetch papers from arXiv and Hugging Face into the database.

    Every run is safe to repeat: what is stored already comes back unchanged. Runs
    print one summary line (new, updated, unchanged, skipped with reasons) and list
    skipped records on stderr. arXiv is asked at most once every 3 seconds
    (arxiv_request_interval), one request at a time, by all papertide processes
    sharing the data dir together.
    Exit status 1 when a run could not finish (it can be run again to complete).
    """


@ingest_group.command("arxiv-rss")
@click.option("--categories", help="Comma-separated categories, e.g. cs.LG,cs.CL "
              "(default: the arxiv_categories setting).")
@click.option("--details/--no-details", default=True, show_default=True,
              help="Look up submission times, comments and versions the feed lacks, "
                   "through the API (a request per 100 new papers).")
@_common
@pass_options
def arxiv_rss_command(options: GlobalOptions, categories: str | None, details: bool,
                      max_errors: int, verbose: bool) -> None:
    """Today's arXiv announcements of some categories (the daily RSS feed).

    Papers announced new today get today's date; new versions of older papers
    (replacements, late cross-lists) update those papers without moving them to
    today. Weekend and holiday feeds are empty, which is not an error.
    """
    settings = options.settings()
    wanted = _categories(categories) or settings.followed_categories

    def run(service: Papertide, sources: Sources, progress: Progress) -> list[IngestReport]:
        from papertide.ingest.rss import ingest_arxiv_rss

        return [ingest_arxiv_rss(service, sources, wanted, enrich=details, progress=progress)]

    _execute(settings, run, "arxiv-rss", max_errors, verbose)


@ingest_group.command("arxiv-oai")
@click.option("--set", "set_spec", help="OAI-PMH set, e.g. cs, math, physics:hep-th, cs:cs:AI "
              "(default: each set of the oai_sets setting in turn).")
@click.option("--from", "from_date", help="First datestamp (YYYY-MM-DD). Without it the harvest "
              "continues an unfinished one, or starts from the last datestamp harvested.")
@click.option("--until", "until_date", help="Last datestamp (YYYY-MM-DD).")
@click.option("--format", "metadata_format", type=click.Choice(METADATA_FORMATS),
              help="arXivRaw (every version with its time) or arXiv "
                   "(default: the oai_metadata_format setting).")
@click.option("--categories", help="Keep only papers in one of these comma-separated "
              "categories or archives (default: keep all).")
@click.option("--restart", is_flag=True,
              help="Forget an unfinished harvest of the set and start from --from.")
@_common
@pass_options
def arxiv_oai_command(
    options: GlobalOptions, set_spec: str | None, from_date: str | None, until_date: str | None,
    metadata_format: str | None, categories: str | None, restart: bool, max_errors: int,
    verbose: bool,
) -> None:
    """Harvest arXiv through OAI-PMH: in bulk (--from) or incrementally.

    Pages are stored one by one together with the harvest's progress, so a
    harvest stopped at any moment (even kill -9) resumes where it stopped when
    the same command runs again, and stores nothing twice.
    """
    settings = options.settings()
    start = _date(from_date, "--from")
    end = _date(until_date, "--until")
    if start and end and end < start:
        raise click.BadParameter("--until is before --from", param_hint="--until")
    sets = [set_spec] if set_spec else list(settings.followed_oai_sets)
    fmt = metadata_format or settings.oai_metadata_format
    keep = _categories(categories)

    def run(service: Papertide, sources: Sources, progress: Progress) -> list[IngestReport]:
        from papertide.ingest.oai import harvest_arxiv_oai

        return [harvest_arxiv_oai(service, sources, one_set, fmt, start, end, keep, restart,
                                  progress) for one_set in sets]

    _execute(settings, run, "arxiv-oai", max_errors, verbose)


@ingest_group.command("arxiv-api")
@click.option("--query", help="arXiv search query, e.g. 'cat:cs.LG AND ti:merging'.")
@click.option("--ids", "id_lists", multiple=True,
              help="arXiv ids, comma-separated (2502.01341,hep-th/9901001v2); repeatable.")
@click.option("--max-results", type=click.IntRange(1, MAX_RESULTS), default=100,
              show_default=True, help=f"Papers to fetch at most (arXiv allows {MAX_RESULTS:,}).")
@click.option("--page-size", type=click.IntRange(1, MAX_PAGE_SIZE), default=100,
              show_default=True, help="Papers per request.")
@click.option("--sort", type=click.Choice(list(SORT_FIELDS)), help="Sort order of a search.")
@click.option("--order", type=click.Choice(SORT_ORDERS), default="descending",
              show_default=True)
@_common
@pass_options
def arxiv_api_command(
    options: GlobalOptions, query: str | None, id_lists: tuple[str, ...], max_results: int,
    page_size: int, sort: str | None, order: str, max_errors: int, verbose: bool,
) -> None:
    """Fetch papers through the arXiv API: a search (--query) or a list of ids (--ids)."""
    ids = [part for text in id_lists for part in text.replace(",", " ").split()]
    if bool(query) == bool(ids):
        raise click.UsageError("give either --query or --ids")
    settings = options.settings()

    def run(service: Papertide, sources: Sources, progress: Progress) -> list[IngestReport]:
        from papertide.ingest.api import ingest_arxiv_ids, ingest_arxiv_search

        if query:
            return [ingest_arxiv_search(service, sources, query, max_results, page_size, sort,
                                        order, progress)]
        return [ingest_arxiv_ids(service, sources, ids, progress)]

    _execute(settings, run, "arxiv-api", max_errors, verbose)


@ingest_group.command("hf-daily")
@click.option("--date", "day", help="A day, YYYY-MM-DD (default: today, UTC).")
@click.option("--week", help="An ISO week, YYYY-Www (e.g. 2026-W24).")
@click.option("--month", help="A month, YYYY-MM.")
@_common
@pass_options
def hf_daily_command(options: GlobalOptions, day: str | None, week: str | None,
                     month: str | None, max_errors: int, verbose: bool) -> None:
    """Hugging Face daily papers of a day, week or month, with their upvotes.

    Upvotes, comments, GitHub repository and stars and keywords are stored as
    time-stamped observations: each run adds the values it saw, so their change
    over time is kept.
    """
    given = [(kind, value) for kind, value in (("date", day), ("week", week), ("month", month))
             if value]
    if len(given) > 1:
        raise click.UsageError("give one of --date, --week, --month")
    try:
        period: Period = (parse_period(*given[0]) if given
                          else day_period(dt.datetime.now(dt.UTC).date()))
    except InvalidInputError as error:
        raise click.BadParameter(str(error), param_hint=f"--{given[0][0]}") from None
    settings = options.settings()

    def run(service: Papertide, sources: Sources, progress: Progress) -> list[IngestReport]:
        from papertide.ingest.hf import ingest_hf_daily

        return [ingest_hf_daily(service, sources, period, progress)]

    _execute(settings, run, "hf-daily", max_errors, verbose)


def _execute(settings: Settings, runner: Runner, label: str, max_errors: int,
             verbose: bool) -> None:
    from papertide.ingest.runtime import opened_sources
    from papertide.ingest.worker import ensure_log_output

    ensure_log_output(verbose)
    warn_without_contact(settings)
    with opened_service(settings) as service, opened_sources(settings) as sources, \
            _progress(label) as progress:
        reports = runner(service, sources, progress)
    for report in reports:
        for skipped in report.skipped[:max_errors]:
            click.echo(f"skipped {skipped}", err=True)
        if len(report.skipped) > max_errors:
            click.echo(f"... and {len(report.skipped) - max_errors:,} more skipped", err=True)
        if not verbose:
            for note in report.notes:
                click.echo(f"note: {note}", err=True)
        click.echo(report.summary())
    if not all(report.complete for report in reports):
        sys.exit(EXIT_INCOMPLETE)


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    """A bar on a terminal (with a total when the source tells one), silence elsewhere."""
    if not sys.stderr.isatty():
        yield lambda _done, _total: None
        return
    from tqdm import tqdm

    with tqdm(desc=label, unit=" records", unit_scale=True, leave=False, file=sys.stderr) as bar:
        def update(done: int, total: int | None) -> None:
            if total is not None and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        yield update


def warn_without_contact(settings: Settings) -> None:
    if not settings.contact_email:
        click.echo("note: set contact_email (PAPERTIDE_CONTACT_EMAIL) so that arXiv and Hugging "
                   "Face can reach you about your requests", err=True)


def _categories(text: str | None) -> tuple[str, ...]:
    try:
        return parse_categories(text or "", "--categories")
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--categories") from None


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except InvalidInputError as error:
        raise click.BadParameter(str(error), param_hint=option) from None
