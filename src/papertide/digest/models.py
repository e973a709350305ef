"""What a digest holds, and the outbox's records of messages.

Plain frozen data: composition builds a :class:`Digest`, rendering turns it
into a message, the outbox keeps the message until the SMTP server took it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from papertide.models import Paper

DigestKind = Literal["daily", "weekly"]
DIGEST_KINDS: tuple[DigestKind, ...] = ("daily", "weekly")
SectionKind = Literal["updates", "follows", "picks", "trending", "discussed", "search",
                      "category"]
OutboxState = Literal["pending", "claimed", "sending", "sent", "failed", "cancelled"]
OUTBOX_STATES: tuple[OutboxState, ...] = ("pending", "claimed", "sending", "sent", "failed",
                                          "cancelled")
MessageKind = Literal["digest", "confirm", "manage", "reply"]


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """One daily or weekly issue: its key (unique per subscriber) and its window.

    ``first_day``..``last_day`` (inclusive) are the announce dates counted as
    new; ``as_of`` is when the issue is composed (trending is scored then).
    """

    kind: DigestKind
    key: str
    first_day: dt.date
    last_day: dt.date
    as_of: dt.datetime

    @property
    def window(self) -> Literal["day", "week"]:
        return "day" if self.kind == "daily" else "week"

    @property
    def outbox_key_part(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def title(self) -> str:
        """``Daily digest, Tue 5 May 2026`` / ``Weekly digest, week 19 of 2026``."""
        if self.kind == "daily":
            day = self.last_day
            return f"Daily digest, {day:%a} {day.day} {day:%b %Y}"
        year, week = self.key.split("-W")
        return f"Weekly digest, week {int(week)} of {year}"


@dataclass(frozen=True, slots=True)
class SearchMatches:
    """New papers matching one saved search, best first, and how many in all."""

    arxiv_ids: tuple[str, ...]
    total: int
    invalid: str | None = None


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One paper in a section, with every reason it is in the digest."""

    paper: Paper
    reasons: tuple[str, ...]
    trending_rank: int | None = None


@dataclass(frozen=True, slots=True)
class DigestSection:
    """A heading that says why its papers are there, the papers, and a "see all" link."""

    kind: SectionKind
    title: str
    reason: str
    entries: tuple[DigestEntry, ...]
    total: int
    more_path: str | None = None
    note: str | None = None

    @property
    def more(self) -> int:
        return max(self.total - len(self.entries), 0)


@dataclass(frozen=True, slots=True)
class Digest:
    """The content of one issue for one subscriber (before rendering)."""

    subscriber_id: int
    email: str
    name: str
    period: DigestPeriod
    sections: tuple[DigestSection, ...]
    composed_at: dt.datetime
    event_ids: tuple[int, ...] = ()
    send_empty: bool = False  # the subscriber asked for an issue even when nothing matched

    @property
    def arxiv_ids(self) -> tuple[str, ...]:
        return tuple(entry.paper.arxiv_id for section in self.sections
                     for entry in section.entries)

    @property
    def is_empty(self) -> bool:
        return not self.arxiv_ids


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to put in the outbox; ``key`` is unique forever."""

    key: str
    kind: MessageKind
    subscriber_id: int | None
    recipient: str
    sender: str
    message_id: str
    data: bytes
    arxiv_ids: tuple[str, ...] = ()
    event_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message this worker holds the lease of, ready to hand to SMTP."""

    id: int
    key: str
    kind: MessageKind
    subscriber_id: int | None
    recipient: str
    sender: str
    data: bytes
    attempts: int
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """What the admin view and the CLI show of one message."""

    id: int
    key: str
    kind: MessageKind
    subscriber_id: int | None
    recipient: str
    message_id: str
    state: OutboxState
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    finished_at: dt.datetime | None
    confirmed: bool
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Lease:
    """A row's lease as recovery sees it: who holds it, until when."""

    id: int
    state: OutboxState
    owner: str
    until: dt.datetime


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    by_state: dict[str, int] = field(default_factory=dict)
    unconfirmed: int = 0

    def of(self, state: OutboxState) -> int:
        return self.by_state.get(state, 0)
