"""Digests wired together: subscriptions, composing issues into the outbox, delivery.

Built once per service (``Papertide.digests``) from the narrow things it
reads: settings, store, keyword index, trending board, personal picks and
clock; nothing here is global, and nothing here imports the service.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from papertide.accounts.tokens import Signer
from papertide.digest.compose import DigestInputs, compose_digest
from papertide.digest.gather import FollowsSource, IssueGatherer, PicksSource
from papertide.digest.models import (
    Digest,
    DigestKind,
    DigestPeriod,
    NewMessage,
    OutboxCounts,
    OutboxRecord,
)
from papertide.digest.outbox import DeliveryReport, Outbox
from papertide.digest.periods import next_period, period_for_day
from papertide.digest.render import MailRenderer, Rendered
from papertide.digest.transport import Link, LogLink, SmtpLink
from papertide.exceptions import ConfigError
from papertide.mail.compose import sender_address
from papertide.mail.smtp import DEFAULT_PORTS, SMTP_MODES, SmtpConfig, SmtpMode
from papertide.ranking.board import TrendingBoard
from papertide.search.base import KeywordIndex
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.subscriptions.models import Subscriber
from papertide.subscriptions.service import Subscriptions
from papertide.subscriptions.tokens import LinkSigner

ADMIN_LIST_SIZE = 100
COMPOSE_BATCH = 200
# Below this many subscribers per process, starting processes costs more than it saves.
SUBSCRIBERS_PER_WORKER = 2_000


@dataclass(slots=True)
class ComposeReport:
    """What composing one issue did."""

    period: DigestPeriod
    subscribers: int = 0
    queued: int = 0
    already: int = 0
    empty: int = 0
    papers: int = 0
    message_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.period.kind} digest {self.period.key}: {self.queued:,} queued "
                f"({self.papers:,} papers), {self.already:,} composed before, {self.empty:,} "
                f"with nothing new, of {self.subscribers:,} subscribers")


# settings, period, subscriber ids, now -> what composing that share did
ShardComposer = Callable[[Settings, DigestPeriod, Sequence[int], dt.datetime], ComposeReport]


@dataclass(frozen=True, slots=True)
class Preview:
    digest: Digest
    rendered: Rendered
    message: bytes


@dataclass(frozen=True, slots=True)
class MailStatus:
    """What the admin view shows."""

    subscribers: dict[str, int]
    outbox: OutboxCounts
    failing: list[Subscriber]
    failed: list[OutboxRecord]
    unconfirmed: list[OutboxRecord]
    waiting: list[OutboxRecord]


def smtp_config(settings_host: str, port: int, mode: str, username: str, password: str,
                timeout: float) -> SmtpConfig:
    chosen: SmtpMode = next((known for known in SMTP_MODES if known == mode), "starttls")
    return SmtpConfig(settings_host, port or DEFAULT_PORTS[chosen], chosen, username,
                      password, timeout)


class Digests:
    """Subscriptions, issue composition, previews and the outbox of one service."""

    def __init__(self, settings: Settings, store: Store, keyword_index: KeywordIndex,
                 board: TrendingBoard, picks: PicksSource, clock: Callable[[], dt.datetime],
                 signer: Signer, compose_shard: ShardComposer | None = None,
                 follows: FollowsSource | None = None) -> None:
        """``compose_shard`` composes a share of a long list in another process (module
        level, so it can be sent there); without it everything is composed here."""
        self.settings = settings
        self.store = store
        self.keyword_index = keyword_index
        self.board = board
        self.clock = clock
        self.compose_shard = compose_shard
        self.follows = follows
        host = urlsplit(settings.resolved_base_url).hostname or "localhost"
        self.renderer = MailRenderer(settings.site_name, settings.resolved_base_url,
                                     sender_address(settings.mail_from, settings.site_name,
                                                    host))
        self.outbox = Outbox(self.store, settings, self.clock, self.connect)
        self.subscriptions = Subscriptions(settings, self.store, self.clock, LinkSigner(signer),
                                           self.renderer, self.outbox)
        self.picks = picks

    def gatherer(self, period: DigestPeriod) -> IssueGatherer:
        """What the issue of ``period`` is composed from, read once for every subscriber."""
        return IssueGatherer(self.store, self.keyword_index, self.board, self.picks, period,
                             self.follows)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def connect(self) -> Link:
        """A link to the configured SMTP server (the log when there is none)."""
        settings = self.settings
        if not settings.smtp_host:
            return LogLink()
        return SmtpLink(smtp_config(settings.smtp_host, settings.smtp_port, settings.smtp_mode,
                                    settings.smtp_username, settings.smtp_password,
                                    settings.smtp_timeout))

    # -- composing ----------------------------------------------------------------------

    def compose_issue(self, period: DigestPeriod, workers: int | None = None) -> ComposeReport:
        """Put the issue's digest for every subscriber due one into the outbox (once each).

        Large lists are composed by several processes (``digest_compose_workers``,
        or ``workers``), each taking a share of the subscribers.
        """
        if not self.smtp_configured:
            raise ConfigError("digests need an SMTP server: set smtp_host (and smtp_port, "
                              "smtp_mode, mail_from); `papertide digest preview` works without")
        report = ComposeReport(period)
        subscribers = self.store.subscribers_receiving(period.kind)
        report.subscribers = len(subscribers)
        keys = {subscriber.id: issue_key(subscriber, period) for subscriber in subscribers}
        done = self.store.existing_outbox_keys(list(keys.values()))
        todo = [subscriber for subscriber in subscribers if keys[subscriber.id] not in done]
        report.already = len(subscribers) - len(todo)
        if workers is None:  # from the setting, and only for lists long enough to gain
            count = min(self.settings.digest_compose_workers,
                        len(todo) // SUBSCRIBERS_PER_WORKER)
        else:
            count = min(workers, len(todo))
        count = max(count, 1)
        if count > 1 and self.compose_shard is not None:
            self._compose_in_processes(self.compose_shard, period, todo, report, count)
        elif todo:
            self.compose_for(period, todo, report)
        return report

    def compose_for(self, period: DigestPeriod, subscribers: Sequence[Subscriber],
                    report: ComposeReport) -> None:
        """Compose and queue the issue for these subscribers (render first, then write)."""
        inputs = self.gatherer(period).inputs(subscribers)
        mailed = self.store.mailed_among(list(inputs.papers))
        for start in range(0, len(subscribers), COMPOSE_BATCH):
            batch = [self._prepare(subscriber, inputs, mailed.get(subscriber.id, set()), report)
                     for subscriber in subscribers[start:start + COMPOSE_BATCH]]
            with self.store.transaction():  # one commit per batch; a crash loses only unsent work
                for message in batch:
                    if message is not None:
                        self._queue(message, report)

    def _prepare(self, subscriber: Subscriber, inputs: DigestInputs, mailed: set[str],
                 report: ComposeReport) -> NewMessage | None:
        digest = compose_digest(subscriber, inputs, mailed, self.clock(),
                                self.settings.digest_section_size)
        if digest.is_empty and not subscriber.preferences.send_empty:
            report.empty += 1
            return None
        message = self.renderer.digest_message(digest, self.subscriptions.links_for(subscriber))
        return NewMessage(
            key=issue_key(subscriber, inputs.period), kind="digest",
            subscriber_id=subscriber.id, recipient=subscriber.email,
            sender=self.renderer.envelope_sender, message_id=message.message_id,
            data=message.data, arxiv_ids=digest.arxiv_ids, event_ids=digest.event_ids)

    def _queue(self, message: NewMessage, report: ComposeReport) -> None:
        queued = self.outbox.enqueue(message)
        if queued is None:
            report.already += 1
            return
        report.queued += 1
        report.papers += len(message.arxiv_ids)
        report.message_ids.append(queued)

    def _compose_in_processes(self, compose_shard: ShardComposer, period: DigestPeriod,
                              todo: Sequence[Subscriber], report: ComposeReport,
                              count: int) -> None:
        size = -(-len(todo) // count)
        shards = [[subscriber.id for subscriber in todo[start:start + size]]
                  for start in range(0, len(todo), size)]
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        with ProcessPoolExecutor(len(shards), mp_context=context) as pool:
            results = list(pool.map(compose_shard, [self.settings] * len(shards),
                                    [period] * len(shards), shards,
                                    [self.clock()] * len(shards)))
        for part in results:
            report.queued += part.queued
            report.already += part.already
            report.empty += part.empty
            report.papers += part.papers
            report.message_ids.extend(part.message_ids)

    def send_issue(self, period: DigestPeriod, stop: threading.Event | None = None
                   ) -> tuple[ComposeReport, DeliveryReport]:
        composed = self.compose_issue(period)
        return composed, self.deliver(stop=stop)

    def deliver(self, ids: Sequence[int] | None = None,
                stop: threading.Event | None = None) -> DeliveryReport:
        return self.outbox.deliver(ids=ids, stop=stop)

    # -- previews -----------------------------------------------------------------------

    def preview(self, email: str, kind: DigestKind | None = None,
                period: DigestPeriod | None = None, day: dt.date | None = None) -> Preview:
        """The next digest of a subscriber as it would look now, or the issue of ``day``
        (a past one: the bundled sample's days, say); nothing is stored."""
        subscriber = self.subscriptions.subscriber(email)
        chosen: DigestKind = kind or ("weekly" if subscriber.preferences.frequency == "weekly"
                                      else "daily")
        if period is None and day is not None:
            period = period_for_day(chosen, self.settings, day, self.clock())
        issue = period or next_period(chosen, self.settings, self.clock())
        inputs = self.gatherer(issue).inputs([subscriber])
        mailed = self.store.mailed_among(list(inputs.papers)).get(subscriber.id, set())
        digest = compose_digest(subscriber, inputs, mailed, self.clock(),
                                self.settings.digest_section_size)
        links = self.subscriptions.links_for(subscriber)
        rendered = self.renderer.render_digest(digest, links)
        return Preview(digest, rendered, self.renderer.digest_message(digest, links).data)

    # -- administration -----------------------------------------------------------------

    def status(self) -> MailStatus:
        store = self.store
        return MailStatus(
            subscribers=store.subscriber_counts(),
            outbox=store.outbox_counts(),
            failing=store.failing_subscribers(ADMIN_LIST_SIZE),
            failed=store.outbox_records(("failed",), ADMIN_LIST_SIZE),
            unconfirmed=store.outbox_records(("sent",), ADMIN_LIST_SIZE, unconfirmed_only=True),
            waiting=store.outbox_records(("pending", "claimed", "sending"), ADMIN_LIST_SIZE),
        )


def issue_key(subscriber: Subscriber, period: DigestPeriod) -> str:
    """The outbox key of one subscriber's issue: at most one message each, ever."""
    return f"digest:{subscriber.id}:{period.outbox_key_part}"
