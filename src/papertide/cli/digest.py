"""``papertide digest ...``: preview, send and deliver digests; mail status; unsubscribe mail."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.output import echo_json
from papertide.digest.models import DigestKind
from papertide.exceptions import InvalidInputError

if TYPE_CHECKING:
    from papertide.digest.service import Digests

EXIT_INCOMPLETE = 1
KINDS = ("daily", "weekly")


def _kind(text: str) -> DigestKind:
    return "weekly" if text == "weekly" else "daily"


@click.group("digest")
def digest_group() -> None:
    """Email digests: preview one, send an issue, deliver the outbox, see what failed.

    The worker sends digests on schedule (digest_hour, digest_weekly_day); these
    commands do the same by hand. Sending an issue twice mails nobody twice.
    """


@digest_group.command("preview")
@click.argument("email")
@click.option("--period", "kind", type=click.Choice(KINDS),
              help="daily or weekly (default: the subscriber's frequency).")
@click.option("--format", "shape", type=click.Choice(["text", "html", "mime"]), default="text",
              show_default=True, help="The text part, the HTML part, or the whole message.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of the terminal.")
@click.option("--date", "day", help="The issue of this day (YYYY-MM-DD), e.g. a day of the "
                                     "bundled sample; default: the next issue.")
@pass_options
def preview_command(options: GlobalOptions, email: str, kind: str | None, shape: str,
                    output: Path | None, day: str | None) -> None:
    """Show the next digest of subscriber EMAIL as it would be mailed now (nothing is sent),
    or the issue of a past day with --date."""
    with opened_service(options.settings()) as service:
        preview = service.digests.preview(email, _kind(kind) if kind else None,
                                          day=_date(day) if day else None)
    if shape == "mime":
        data = preview.message
    elif shape == "html":
        data = preview.rendered.html.encode()
    else:
        data = (f"Subject: {preview.rendered.subject}\n\n{preview.rendered.text}").encode()
    if output is not None:
        output.write_bytes(data)
        click.echo(f"{output}: {len(preview.digest.arxiv_ids)} papers, "
                   f"subject {preview.rendered.subject!r}", err=True)
    else:
        click.echo(data.decode("utf-8", "replace"), nl=False)


@digest_group.command("send")
@click.option("--period", "kind", type=click.Choice(KINDS), required=True,
              help="Which issue: the daily or the weekly digest.")
@click.option("--date", "day", help="The issue of this day (YYYY-MM-DD; default: the one due "
                                     "now).")
@click.option("--no-deliver", is_flag=True,
              help="Only compose the issue into the outbox; `papertide digest deliver` sends.")
@pass_options
def send_command(options: GlobalOptions, kind: str, day: str | None, no_deliver: bool) -> None:
    """Compose the due issue for every subscriber into the outbox, then send it.

    Each subscriber gets each issue at most once, however often this runs;
    a run stopped half-way (Ctrl-C, kill -9) is completed by the next one.
    """
    from papertide.digest.periods import due_period, period_for_day

    with opened_service(options.settings()) as service:
        now = service.clock()
        period = (period_for_day(_kind(kind), service.settings, _date(day), now) if day
                  else due_period(_kind(kind), service.settings, now))
        composed = service.digests.compose_issue(period)
        click.echo(composed.summary())
        if not no_deliver:
            _deliver(service.digests, stop=_stop_on_sigterm())


@digest_group.command("deliver")
@pass_options
def deliver_command(options: GlobalOptions) -> None:
    """Send what waits in the outbox (due retries and queued mail)."""
    with opened_service(options.settings()) as service:
        _deliver(service.digests, stop=_stop_on_sigterm())


def _deliver(digests: Digests, stop: threading.Event) -> None:
    report = digests.deliver(stop=stop)
    click.echo(report.summary())
    if report.error:
        sys.exit(EXIT_INCOMPLETE)


def _stop_on_sigterm() -> threading.Event:
    stop = threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    return stop


@digest_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def status_command(options: GlobalOptions, as_json: bool) -> None:
    """Subscribers and messages by state, and the addresses mail does not reach."""
    with opened_service(options.settings()) as service:
        status = service.digests.status()
    if as_json:
        echo_json({
            "subscribers": status.subscribers,
            "messages": status.outbox.by_state,
            "unconfirmed": status.outbox.unconfirmed,
            "failing": [{"email": s.email, "status": s.status, "refusals": s.bounce_count,
                         "last_error": s.last_error} for s in status.failing],
        })
        return
    click.echo("subscribers: " + (", ".join(f"{count:,} {state}" for state, count
                                            in sorted(status.subscribers.items())) or "none"))
    click.echo("messages: " + (", ".join(f"{count:,} {state}" for state, count
                                         in sorted(status.outbox.by_state.items())) or "none")
               + (f" ({status.outbox.unconfirmed:,} sent unconfirmed)"
                  if status.outbox.unconfirmed else ""))
    for subscriber in status.failing:
        click.echo(f"{subscriber.status:>10}  {subscriber.email}  {subscriber.bounce_count} "
                   f"refusals  {subscriber.last_error or ''}")


@digest_group.command("resume")
@click.argument("email")
@pass_options
def resume_command(options: GlobalOptions, email: str) -> None:
    """Let mail go again to EMAIL, suspended after its server refused our messages."""
    with opened_service(options.settings()) as service:
        subscriber = service.digests.subscriptions.resume(email)
    click.echo(f"{subscriber.email}: {subscriber.status}")


@digest_group.command("unsubscribe-mail")
@pass_options
def unsubscribe_mail_command(options: GlobalOptions) -> None:
    """Read a mail sent to the List-Unsubscribe address on standard input and act on it.

    Point the mail_unsubscribe_address alias of your mail server at this command
    (e.g. a pipe alias). Mail without a valid token is ignored.
    """
    text = sys.stdin.buffer.read(1_000_000).decode("utf-8", "replace")
    with opened_service(options.settings()) as service:
        subscriber = service.digests.subscriptions.unsubscribe_by_mail(text)
    click.echo(f"unsubscribed {subscriber.email}" if subscriber else
               "no valid unsubscribe token in the message; nothing changed", err=True)


def _date(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise InvalidInputError(f"--date must be YYYY-MM-DD, got {text!r}") from None
