"""Settings of the community features: accounts, mail, trending, rising topics.

Declared here as ``(name, type, help)`` and spliced into ``SETTING_SPECS``
by ``papertide.settings``, which stays the one place settings are loaded.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from papertide.exceptions import ConfigError

SMTP_MODES = ("plain", "starttls", "tls")
MIN_SECRET_KEY = 32
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

COMMUNITY_SETTINGS: tuple[tuple[str, type, str], ...] = (
    ("smtp_host", str, "SMTP server that sends sign-in links (default: none; the links are "
     "written to the server log instead)."),
    ("smtp_port", int, "SMTP port (default: 587 for starttls, 465 for tls, 25 for plain)."),
    ("smtp_mode", str, "How to talk to the SMTP server: starttls (default), tls or plain."),
    ("smtp_username", str, "SMTP user name, if the server wants one."),
    ("smtp_password", str, "SMTP password (prefer the environment variable to a file)."),
    ("smtp_timeout", float, "Seconds to wait for the SMTP server (default 30)."),
    ("mail_from", str, "The From address of mail (default: SITE_NAME <noreply@HOST of "
     "base_url>)."),
    ("secret_key", str, "Key that signs sign-in links, session cookies and CSRF tokens, at "
     "least 32 characters (default: generated once and kept in the database)."),
    ("session_days", int, "Days a sign-in lasts (default 30)."),
    ("open_signup", bool, "Anyone can sign in with an address, creating an account (default "
     "true); false: only users added with `papertide user add`."),
    ("signin_limit_per_address", int, "Sign-in mails per address per hour (default 5)."),
    ("signin_limit_per_client", int, "Sign-in requests per client (IP address) per hour "
     "(default 20)."),
    ("mail_limit_per_client", int, "Sign-in and subscribe requests together per client "
     "(IP address; IPv6: its /64) per hour (default 30)."),
    ("mail_limit_per_site", int, "Sign-in and subscribe mails the whole site sends per hour "
     "(default 500): a ceiling against mail bombing from many addresses."),
    ("trusted_proxies", str, "Comma-separated addresses or networks of the reverse proxies "
     "whose X-Forwarded-For is believed (default 127.0.0.1, ::1; empty: none)."),
    ("trending_half_life_day", float, "Hours after which a vote counts half in the day's "
     "trending list (default 6)."),
    ("trending_half_life_week", float, "Half-life in hours for the week's trending list "
     "(default 36)."),
    ("trending_half_life_month", float, "Half-life in hours for the month's trending list "
     "(default 168)."),
    ("trending_refresh_seconds", int, "Seconds a computed trending list is served before it "
     "is recomputed (default 60; the server's own votes apply at once)."),
    ("topics_refresh_minutes", int, "Minutes between background recomputations of rising "
     "topics in `papertide serve` (default 360; 0: only `papertide topics --recompute`)."),
)


def validate_community_settings(values: Mapping[str, Any]) -> None:
    """Check the values of this area; a plain mapping, so areas never import Settings."""
    if values["smtp_mode"] not in SMTP_MODES:
        raise ConfigError(f"smtp_mode must be one of {', '.join(SMTP_MODES)}, "
                          f"got {values['smtp_mode']!r}")
    if not 0 <= values["smtp_port"] < 65536:
        raise ConfigError(f"smtp_port must be between 0 and 65535, got {values['smtp_port']}")
    if not 0 < values["smtp_timeout"] <= 600:
        raise ConfigError("smtp_timeout must be more than 0 and at most 600 seconds")
    if values["secret_key"] and len(values["secret_key"]) < MIN_SECRET_KEY:
        raise ConfigError(f"secret_key must be at least {MIN_SECRET_KEY} characters long "
                          "(or leave it unset to have one generated)")
    if not 1 <= values["session_days"] <= 3_650:
        raise ConfigError(f"session_days must be between 1 and 3650, got {values['session_days']}")
    for name in ("signin_limit_per_address", "signin_limit_per_client",
                 "mail_limit_per_client", "mail_limit_per_site"):
        if not 1 <= values[name] <= 100_000:
            raise ConfigError(f"{name} must be between 1 and 100000")
    parse_trusted_proxies(values["trusted_proxies"])
    for name in ("trending_half_life_day", "trending_half_life_week", "trending_half_life_month"):
        if not 0.1 <= values[name] <= 24 * 365:
            raise ConfigError(f"{name} must be between 0.1 and 8760 hours")
    if not 0 <= values["trending_refresh_seconds"] <= 86_400:
        raise ConfigError("trending_refresh_seconds must be between 0 and 86400")
    if not 0 <= values["topics_refresh_minutes"] <= 7 * 24 * 60:
        raise ConfigError("topics_refresh_minutes must be between 0 and 10080")


@lru_cache(maxsize=8)  # read on every request from one settings string: parse it once
def parse_trusted_proxies(text: str) -> tuple[IpNetwork, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` -> networks; ConfigError for anything else.

    ``*`` is refused: trusting every sender would let any client write its own
    address into X-Forwarded-For and so escape the per-client limits.
    """
    networks: list[IpNetwork] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"trusted_proxies: {part[:60]!r} is not an IP address or "
                              "network (like 127.0.0.1 or 172.16.0.0/12)") from None
    return tuple(networks)
