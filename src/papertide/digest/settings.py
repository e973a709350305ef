"""Settings of subscriptions, digests and the outbox.

Declared here as ``(name, type, help)`` and spliced into ``SETTING_SPECS``
by ``papertide.settings``, which stays the one place settings are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from papertide.exceptions import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DIGEST_SETTINGS: tuple[tuple[str, type, str], ...] = (
    ("schedule_digests", bool, "Send the digests on schedule in `papertide worker` and "
     "`papertide serve --scheduler` (default true; needs smtp_host)."),
    ("digest_hour", int, "Hour of the day (0-23, in schedule_timezone) at which daily and "
     "weekly digests go out (default 7)."),
    ("digest_weekly_day", str, "Day the weekly digest goes out: mon, tue, ... sun "
     "(default mon)."),
    ("digest_section_size", int, "Papers listed in each saved-search and category section "
     "of a digest; the rest are linked (default 5)."),
    ("digest_compose_workers", int, "Processes that compose an issue for a long list of "
     "subscribers, each taking a share (default 2; one per 2,000 subscribers at most)."),
    ("digest_trending_default", int, "Trending papers in a new subscriber's digest "
     "(default 10; each subscriber can change it)."),
    ("subscribe_limit_per_address", int, "Confirmation mails per address per hour "
     "(default 3)."),
    ("subscribe_limit_per_client", int, "Subscribe requests per client (IP address) per "
     "hour (default 10)."),
    ("subscribe_confirm_hours", int, "Hours a confirmation link works (default 48)."),
    ("mail_retry_backoff", float, "Seconds before a message the SMTP server deferred (4xx) "
     "is tried again; doubles with each try, at most 6 hours (default 300)."),
    ("mail_max_attempts", int, "Tries of one message before it is given up (default 8)."),
    ("mail_bounce_limit", int, "Permanent refusals (5xx) in a row after which mail to an "
     "address stops until an admin lets it resume (default 3)."),
    ("mail_per_connection", int, "Messages sent over one SMTP connection before opening "
     "a new one (default 100)."),
    ("mail_unsubscribe_address", str, "Address in the mailto: of the List-Unsubscribe "
     "header (default unsubscribe@ the domain of mail_from); deliver it to "
     "`papertide digest unsubscribe-mail`."),
)


def validate_digest_settings(values: Mapping[str, Any]) -> None:
    """Check the values of this area; a plain mapping, so areas never import Settings."""
    if not 0 <= values["digest_hour"] <= 23:
        raise ConfigError(f"digest_hour must be between 0 and 23, got {values['digest_hour']}")
    if values["digest_weekly_day"].strip().lower()[:3] not in WEEKDAYS:
        raise ConfigError(f"digest_weekly_day must be one of {', '.join(WEEKDAYS)}, "
                          f"got {values['digest_weekly_day']!r}")
    bounds = {
        "digest_section_size": (1, 50),
        "digest_trending_default": (0, 50),
        "digest_compose_workers": (1, 64),
        "subscribe_limit_per_address": (1, 1_000),
        "subscribe_limit_per_client": (1, 100_000),
        "subscribe_confirm_hours": (1, 24 * 30),
        "mail_max_attempts": (1, 100),
        "mail_bounce_limit": (1, 100),
        "mail_per_connection": (1, 100_000),
    }
    for name, (low, high) in bounds.items():
        if not low <= values[name] <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, "
                              f"got {values[name]}")
    if not 0 <= values["mail_retry_backoff"] <= 86_400:
        raise ConfigError("mail_retry_backoff must be between 0 and 86400 seconds")
    if values["mail_unsubscribe_address"] and "@" not in values["mail_unsubscribe_address"]:
        raise ConfigError(f"mail_unsubscribe_address must be an address, "
                          f"got {values['mail_unsubscribe_address']!r}")
