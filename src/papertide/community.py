"""What people do on the site, wired together: accounts, votes and libraries,
trending lists, rising topics, and the mail they need.

Built once per service (``Papertide.community``), from the same settings,
store and clock; nothing here is global.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

from papertide.accounts.service import Accounts
from papertide.accounts.tokens import Signer
from papertide.library.service import Library
from papertide.mail.compose import MailComposer, sender_address
from papertide.mail.smtp import (
    DEFAULT_PORTS,
    SMTP_MODES,
    LogSender,
    MailSender,
    SmtpConfig,
    SmtpMode,
    SmtpSender,
)
from papertide.paging import page_bounds
from papertide.ranking.board import TrendingBoard
from papertide.ranking.service import Trending
from papertide.ranking.trending import WindowName
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.topics.service import RecomputeElsewhere, Topics


class Community:
    def __init__(self, settings: Settings, store: Store,
                 clock: Callable[[], dt.datetime], signer: Signer, *,
                 recompute_topics: RecomputeElsewhere | None = None) -> None:
        """``recompute_topics`` computes rising topics in a process of its own."""
        self.settings = settings
        self.mail_sender = mail_sender(settings)
        host = urlsplit(settings.resolved_base_url).hostname or "localhost"
        self.composer = MailComposer(sender_address(settings.mail_from, settings.site_name, host),
                                     settings.site_name, settings.resolved_base_url)
        self.accounts = Accounts(settings, store, clock, signer, self.composer)
        half_lives: dict[WindowName, dt.timedelta] = {
            "day": dt.timedelta(hours=settings.trending_half_life_day),
            "week": dt.timedelta(hours=settings.trending_half_life_week),
            "month": dt.timedelta(hours=settings.trending_half_life_month),
        }
        self.board = TrendingBoard(store, clock, half_lives, settings.trending_refresh_seconds)
        self.trending = Trending(store, self.board, clock)
        self.library = Library(store, clock, on_vote=self.board.paper_changed)
        self.topics = Topics(store, clock, recompute_topics)

    def paging(self, page: int, page_size: int | None) -> tuple[int, int]:
        """``(limit, offset)`` of a page, with the same bounds as the paper listings."""
        return page_bounds(page, page_size, self.settings.page_size)


def mail_sender(settings: Settings) -> MailSender:
    """SMTP when ``smtp_host`` is set; otherwise messages go to the log."""
    if not settings.smtp_host:
        return LogSender()
    mode: SmtpMode = next((known for known in SMTP_MODES if known == settings.smtp_mode),
                          "starttls")
    return SmtpSender(SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port or DEFAULT_PORTS[mode],
        mode=mode,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout,
    ))
