"""Subscribers and what they asked for, as the store keeps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Frequency = Literal["daily", "weekly", "off"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly", "off")
SubscriberStatus = Literal["pending", "active", "unsubscribed", "suspended"]
STATUSES: tuple[SubscriberStatus, ...] = ("pending", "active", "unsubscribed", "suspended")


@dataclass(frozen=True, slots=True)
class Preferences:
    """What goes into someone's digest, and how often it comes.

    ``trending_count`` 0 leaves trending papers out; ``personal_picks`` is
    the slot for recommendations from a signed-in reader's library.
    """

    frequency: Frequency = "daily"
    trending_count: int = 10
    categories: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    send_empty: bool = False
    personal_picks: bool = True
    name: str = ""


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One address; ``email`` is stored normalised (lower case, ASCII domain)."""

    id: int
    email: str
    status: SubscriberStatus
    preferences: Preferences
    created_at: dt.datetime
    confirmed_at: dt.datetime | None = None
    unsubscribed_at: dt.datetime | None = None
    bounce_count: int = 0
    last_error: str | None = None
    suspended_at: dt.datetime | None = None

    @property
    def receives_digests(self) -> bool:
        return self.status == "active" and self.preferences.frequency != "off"
