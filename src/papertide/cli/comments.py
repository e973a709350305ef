"""``papertide comments``: moderate discussions from the command line."""

from __future__ import annotations

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.output import echo_json
from papertide.discussions.models import Comment
from papertide.discussions.thread import author_label


@click.group("comments")
def comments_group() -> None:
    """Moderate discussions: list, hide, show, delete, dismiss reports, suspend readers."""


def _line(comment: Comment, emails: dict[int, str]) -> str:
    author = author_label(comment.user_id)
    if comment.user_id in emails:
        author += f" <{emails[comment.user_id]}>"
    text = " ".join(comment.body.split())
    text = text if len(text) <= 70 else text[:69] + "…"
    return (f"#{comment.id:<6} {comment.arxiv_id:<16} {comment.state:<8} "
            f"{comment.created_at:%Y-%m-%d %H:%M}  {author}: {text}")


@comments_group.command("list")
@click.option("--limit", type=click.IntRange(1, 1_000), default=20, show_default=True)
@click.option("--reports", is_flag=True, help="Show the open reports instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def comments_list(options: GlobalOptions, limit: int, reports: bool, as_json: bool) -> None:
    """The newest comments in every state (or, with --reports, the open reports)."""
    with opened_service(options.settings()) as service:
        view = service.discussions.moderation_view(limit)
    if reports:
        rows = [{"comment_id": r.comment_id, "reported_by": view.emails.get(r.user_id),
                 "reason": r.reason, "reported_at": r.created_at.isoformat()}
                for r in view.reports]
        if as_json:
            echo_json(rows)
            return
        for report in view.reports:
            click.echo(f"#{report.comment_id:<6} {report.created_at:%Y-%m-%d %H:%M}  "
                       f"{view.emails.get(report.user_id, '?')}: {report.reason}")
            click.echo("        " + _line(view.reported[report.comment_id], view.emails))
        click.echo(f"{len(view.reports)} open report{'' if len(view.reports) == 1 else 's'}")
        return
    if as_json:
        echo_json([{"id": c.id, "arxiv_id": c.arxiv_id, "parent_id": c.parent_id,
                    "author": author_label(c.user_id), "email": view.emails.get(c.user_id or 0),
                    "state": c.state, "author_suspended": c.author_suspended, "body": c.body,
                    "created_at": c.created_at.isoformat()} for c in view.comments])
        return
    for comment in view.comments:
        click.echo(_line(comment, view.emails))
    click.echo(f"{len(view.comments)} comment{'' if len(view.comments) == 1 else 's'} shown")


def _moderation_command(action: str, summary: str) -> click.Command:
    @click.argument("comment_id", type=click.IntRange(1, 2**62))
    @pass_options
    def command(options: GlobalOptions, comment_id: int) -> None:
        with opened_service(options.settings()) as service:
            comment = service.discussions.moderate(None, comment_id, action)
        click.echo(f"comment #{comment.id} on {comment.arxiv_id}: {comment.state}"
                   + ("; reports dismissed" if action == "dismiss" else ""))

    command.__doc__ = summary
    return click.command(action)(command)


for _action, _summary in (
    ("hide", "Hide comment COMMENT_ID from readers (admins still see it; `show` undoes it)."),
    ("show", "Show a hidden comment COMMENT_ID again."),
    ("delete", "Delete comment COMMENT_ID for good (its text is erased)."),
    ("dismiss", "Close the open reports of comment COMMENT_ID, changing nothing else."),
):
    comments_group.add_command(_moderation_command(_action, _summary))


@comments_group.command("suspend")
@click.argument("email")
@click.option("--lift", is_flag=True, help="Lift the suspension instead.")
@pass_options
def comments_suspend(options: GlobalOptions, email: str, lift: bool) -> None:
    """Suspend the reader EMAIL from discussions: no new comments, and theirs are hidden."""
    with opened_service(options.settings()) as service:
        user = service.community.accounts.user(email)
        service.discussions.suspend(None, user.id, not lift)
    click.echo(f"{user.email}: {'may comment again' if lift else 'suspended from discussions'}")
