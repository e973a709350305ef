"""Commands for people, trending lists and rising topics: user, trending, topics."""

from __future__ import annotations

import time

import click

from papertide.cli.context import GlobalOptions, opened_service, pass_options
from papertide.cli.output import echo_json, echo_paper_summary, paper_as_dict
from papertide.cli.server_address import link_base_url
from papertide.ranking.service import parse_window
from papertide.topics.compute import TopicParams


@click.group("user")
def user_group() -> None:
    """Manage the people who can sign in (add, list, remove, admin, link)."""


@user_group.command("add")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the user an admin (also for an existing one).")
@pass_options
def user_add(options: GlobalOptions, email: str, admin: bool) -> None:
    """Add a user by EMAIL (with open_signup off, only added users can sign in)."""
    with opened_service(options.settings()) as service:
        user, created = service.community.accounts.add_user(email, admin)
    role = "admin" if user.is_admin else "user"
    click.echo(f"{'added' if created else 'exists:'} {user.email} ({role})")


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def user_list(options: GlobalOptions, as_json: bool) -> None:
    """List the users, with their role and last sign-in."""
    with opened_service(options.settings()) as service:
        users = service.community.accounts.users()
    if as_json:
        echo_json([{"email": u.email, "admin": u.is_admin, "created_at": u.created_at.isoformat(),
                    "last_sign_in_at": u.last_sign_in_at.isoformat() if u.last_sign_in_at
                    else None} for u in users])
        return
    for user in users:
        last = f"{user.last_sign_in_at:%Y-%m-%d %H:%M}" if user.last_sign_in_at else "never"
        click.echo(f"{user.email:40} {'admin' if user.is_admin else 'user':6} "
                   f"last sign-in: {last}")
    click.echo(f"{len(users)} user{'' if len(users) == 1 else 's'}")


@user_group.command("admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the admin role away instead.")
@pass_options
def user_admin(options: GlobalOptions, email: str, revoke: bool) -> None:
    """Make the user EMAIL an admin (or, with --revoke, a plain user)."""
    with opened_service(options.settings()) as service:
        user = service.community.accounts.set_admin(email, not revoke)
    click.echo(f"{user.email} is {'an admin' if user.is_admin else 'not an admin'}")


@user_group.command("remove")
@click.argument("email")
@pass_options
def user_remove(options: GlobalOptions, email: str) -> None:
    """Remove the user EMAIL with their sessions, upvotes, library and comments."""
    with opened_service(options.settings()) as service:
        user = service.community.accounts.remove_user(email)
    click.echo(f"removed {user.email}")


@user_group.command("link")
@click.argument("email")
@pass_options
def user_link(options: GlobalOptions, email: str) -> None:
    """Print a fresh sign-in link for EMAIL (for a server without SMTP set up).

    The link works once, for 15 minutes, like a mailed one. It names the
    base_url setting, or else the address a running `papertide serve` of the
    same data folder listens on.
    """
    settings = options.settings()
    with opened_service(settings.with_overrides(base_url=link_base_url(settings))) as service:
        accounts = service.community.accounts
        user = accounts.user(email)
        click.echo(accounts.sign_in_link(user.email))


@click.command("trending")
@click.option("--window", type=click.Choice(["day", "week", "month"]), default="week",
              show_default=True, help="The last day, week or month.")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def trending_command(options: GlobalOptions, window: str, limit: int, as_json: bool) -> None:
    """Show the trending papers (the same list as /trending)."""
    with opened_service(options.settings()) as service:
        community = service.community
        started = time.perf_counter()
        result = community.trending.window_page(parse_window(window), limit, 0)
        seconds = time.perf_counter() - started
        votes = community.library.marks(None, [p.arxiv_id for p in result.page.papers])
        signals = service.signals([p.arxiv_id for p in result.page.papers])
    if as_json:
        echo_json({
            "window": window, "as_of": result.as_of.isoformat(), "live": result.live,
            "total": result.page.total,
            "papers": [paper_as_dict(paper) | {"rank": result.ranks[paper.arxiv_id],
                                               "score": result.scores[paper.arxiv_id],
                                               "votes": votes.votes_of(paper.arxiv_id)}
                       for paper in result.page.papers],
        })
        return
    for paper in result.page.papers:
        echo_paper_summary(paper, result.ranks[paper.arxiv_id])
        known = signals.get(paper.arxiv_id)
        outside = "".join(f" · {part}" for part in known.parts) if known else ""
        click.echo(f"    score {result.scores[paper.arxiv_id]:.3f} · "
                   f"{votes.votes_of(paper.arxiv_id)} upvotes{outside}")
    when = "now" if result.live else f"as of {result.as_of:%Y-%m-%d}, the latest activity"
    click.echo(f"{result.page.total:,} papers trending this {window} ({when}); "
               f"computed in {seconds:.2f} s")


@click.command("topics")
@click.option("--recompute", is_flag=True, help="Compute them again from the papers first.")
@click.option("--recent-weeks", type=click.IntRange(1, 52), default=4, show_default=True,
              help="With --recompute: the weeks whose papers are compared...")
@click.option("--baseline-weeks", type=click.IntRange(1, 520), default=26, show_default=True,
              help="...with the weeks before them.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_options
def topics_command(options: GlobalOptions, recompute: bool, recent_weeks: int,
                   baseline_weeks: int, as_json: bool) -> None:
    """Show the rising topics (the server recomputes them in the background)."""
    with opened_service(options.settings()) as service:
        topics = service.community.topics
        started = time.perf_counter()
        if recompute:
            run = topics.recompute(TopicParams(recent_weeks=recent_weeks,
                                               baseline_weeks=baseline_weeks))
        else:
            found = topics.run()
            if found is None:
                raise click.ClickException("rising topics are not computed yet; run "
                                           "`papertide topics --recompute`")
            run = found
        seconds = time.perf_counter() - started
    if as_json:
        echo_json({
            "as_of": run.as_of.isoformat(), "computed_at": run.computed_at.isoformat(),
            "recent_weeks": run.recent_weeks, "baseline_weeks": run.baseline_weeks,
            "papers_considered": run.papers_considered,
            "topics": [{"rank": t.rank, "phrase": t.phrase, "slug": t.slug, "score": t.score,
                        "recent_papers": t.recent_papers, "baseline_papers": t.baseline_papers,
                        "growth": t.growth, "weekly_papers": list(t.weekly_papers)}
                       for t in run.topics],
        })
        return
    for topic in run.topics:
        growth = f"{topic.growth:.1f}x" if topic.growth else "new"
        click.echo(f"{topic.rank:3}. {topic.phrase:40} {topic.recent_papers:5} papers  "
                   f"{growth:>6}  {_bars(topic.weekly_papers)}")
    action = (f"computed in {seconds:.1f} s" if recompute
              else f"computed {run.computed_at:%Y-%m-%d %H:%M} UTC")
    click.echo(f"{len(run.topics)} rising topics in the {run.recent_weeks} weeks to "
               f"{run.as_of} against the {run.baseline_weeks} before, from "
               f"{run.papers_considered:,} papers; {action}")


_BARS = " ▁▂▃▄▅▆▇█"


def _bars(values: tuple[int, ...]) -> str:
    """A text sparkline of weekly volume."""
    peak = max(values, default=0) or 1
    return "".join(_BARS[round(value / peak * (len(_BARS) - 1))] for value in values)
