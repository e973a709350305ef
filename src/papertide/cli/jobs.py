"""``papertide worker`` (run jobs from the shared queue) and ``papertide jobs`` (see it)."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.ingest import EXIT_INCOMPLETE, JOB_NAMES, warn_without_contact
from papertide.cli.output import echo_json
from papertide.jobs.models import JOB_STATES

if TYPE_CHECKING:
    from papertide.jobs.models import JobRecord


@click.command("worker")
@click.option("--once", is_flag=True,
              help="Run the jobs now, one after the other, with the deliveries and embedding "
                   "they lead to, then exit (for cron or timers). Exit status 1 if one failed.")
@click.option("--job", "job_names", multiple=True, metavar="NAME",
              help=f"Only this job (repeatable; default: all): {', '.join(JOB_NAMES)}, and "
                   "digest-daily, digest-weekly, mail-outbox when mail is set up. Without "
                   "--once the worker then queues and runs only these (and what they lead to).")
@pass_options
def worker_command(options: GlobalOptions, once: bool, job_names: tuple[str, ...]) -> None:
    """Keep the database current: run the scheduled jobs, shared with other workers.

    Jobs wait in a queue in the database, so any number of workers (on any
    machines sharing the database) split the work and no job runs twice. Each
    worker queues every schedule's runs (arxiv-rss after each announcement,
    hf-daily hourly, arxiv-oai daily, the digests at digest_hour; times read in
    schedule_timezone) and runs job_threads jobs at a time. A run whose time
    passed while no worker ran is queued at start; a failed job is tried again
    later (job_retry_backoff, job_max_attempts); the job of a worker that died
    is taken over once its lease runs out (job_lease_seconds). Ingestion runs
    queue the embedding of their new papers; a composed digest issue queues
    job_delivery_jobs deliveries, so that several workers send at once.
    `papertide jobs` shows the queue. SIGTERM or Ctrl-C stops the worker after
    its running jobs reach a safe point; they go back to the queue.
    """
    from papertide.ingest.worker import (
        UnknownJobError,
        ensure_log_output,
        run_jobs_once,
        run_worker,
        select_jobs,
    )

    settings = options.settings()
    try:
        jobs = select_jobs(settings, job_names)
    except UnknownJobError as error:
        raise click.BadParameter(str(error), param_hint="--job") from None
    ensure_log_output(verbose=True)
    warn_without_contact(settings)
    stop = threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    with opened_service(settings) as service:
        if once:
            try:
                succeeded = run_jobs_once(service, settings, jobs, stop)
            except KeyboardInterrupt:
                stop.set()
                succeeded = False
            if not succeeded:
                sys.exit(EXIT_INCOMPLETE)
            return
        click.echo(f"papertide worker: {len([job for job in jobs if job.schedule])} scheduled "
                   f"jobs, {settings.job_threads} at a time; Ctrl-C stops", err=True)
        try:
            run_worker(service, settings, jobs, stop, only_chosen=bool(job_names))
        except KeyboardInterrupt:
            stop.set()


@click.command("jobs")
@click.option("--limit", type=click.IntRange(1, 10_000), default=30, show_default=True,
              help="How many jobs to list, most recent first.")
@click.option("--state", "states", multiple=True, type=click.Choice(JOB_STATES),
              help="Only jobs in this state (repeatable).")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only jobs of this kind, e.g. arxiv-rss, deliver, embed (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def jobs_command(options: GlobalOptions, limit: int, states: tuple[str, ...],
                 kinds: tuple[str, ...], as_json: bool) -> None:
    """List the job queue: recent jobs with their state, tries, worker and last error.

    States: queued (waiting for its time or a free worker), running (a worker
    holds its lease), done (with a summary of what it did), failed (out of
    tries, with the error). A job shown running after its worker died is taken
    over once its lease runs out.
    """
    with opened_service(options.settings()) as service:
        store = service.store
        counts = store.job_counts()
        records = store.job_records(limit, [state for state in JOB_STATES if state in states],
                                    list(kinds))
    if as_json:
        echo_json({"counts": counts, "jobs": [_as_dict(record) for record in records]})
        return
    click.echo(", ".join(f"{counts.get(state, 0):,} {state}" for state in JOB_STATES))
    for record in records:
        click.echo(_line(record))
        detail = record.last_error if record.state != "done" else record.result
        if detail:
            label = "" if record.state == "done" else "error: "
            click.echo(f"      {label}{detail}")


def _line(record: JobRecord) -> str:
    when = record.finished_at or record.started_at or record.run_after
    by = f" by {_owner(record.lease_owner)}" if record.lease_owner else ""
    return (f"{record.id:>5}  {record.state:<7}  {record.attempts}/{record.max_attempts}  "
            f"{record.key}  {when:%Y-%m-%d %H:%M:%S}Z{by}")


def _owner(owner: str) -> str:
    """``host:pid`` of a ``host:pid:random`` owner."""
    return ":".join(owner.split(":")[:2])


def _as_dict(record: JobRecord) -> dict[str, Any]:
    def moment(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": record.id, "key": record.key, "kind": record.kind, "state": record.state,
        "attempts": record.attempts, "max_attempts": record.max_attempts,
        "run_after": moment(record.run_after), "owner": record.lease_owner,
        "lease_until": moment(record.lease_until), "created_at": moment(record.created_at),
        "started_at": moment(record.started_at), "finished_at": moment(record.finished_at),
        "last_error": record.last_error, "result": record.result,
        "parent_id": record.parent_id,
    }
