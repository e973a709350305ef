"""``papertide follows``: who follows whom, and what a reader hears of (for admins)."""

from __future__ import annotations

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.output import echo_json
from papertide.exceptions import NotFoundError
from papertide.follows.describe import event_lines


@click.command("follows")
@click.argument("email", required=False)
@click.option("--limit", type=click.IntRange(1, 1_000), default=20, show_default=True,
              help="Authors (or updates) listed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def follows_command(options: GlobalOptions, email: str | None, limit: int,
                    as_json: bool) -> None:
    """Without EMAIL: the most followed authors. With EMAIL: whom that reader follows and
    the latest updates to the papers they watch."""
    with opened_service(options.settings()) as service:
        if email is None:
            top = service.store.most_followed_authors(limit)
            if as_json:
                echo_json({"authors": [{"key": key, "name": name, "followers": count}
                                       for key, name, count in top]})
                return
            if not top:
                click.echo("nobody follows anyone yet")
            for key, name, count in top:
                click.echo(f"{count:>6}  {name}  ({key})")
            return
        user = service.store.user_by_email(email.strip().lower())
        if user is None:
            raise NotFoundError(f"no user {email}")
        follows = service.follows.of(user.id)
        updates = service.follows.updates(user.id, limit)
    if as_json:
        echo_json({
            "follows": [{"name": f.display_name, "key": f.author_key,
                         "coauthors": list(f.coauthors)} for f in follows],
            "updates": [{"arxiv_id": u.paper.arxiv_id, "kind": u.event.kind,
                         "key": u.event.key, "at": u.event.created_at.isoformat(),
                         "lines": list(event_lines(u.event))} for u in updates]})
        return
    click.echo(f"{email} follows {len(follows)} author{'' if len(follows) == 1 else 's'}:")
    for follow in follows:
        click.echo(f"  {follow.display_name}")
    click.echo(f"updates to watched papers ({len(updates)}):")
    for update in updates:
        click.echo(f"  {update.event.created_at.date()}  {update.paper.arxiv_id}  "
                   + " · ".join(event_lines(update.event)))
