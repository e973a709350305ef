"""Email addresses as people type them, checked and normalised."""

from __future__ import annotations

import re

from papertide.exceptions import InvalidInputError

MAX_ADDRESS = 254
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}"
    r"@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)


def normalise_email(text: str) -> str:
    """``" Ada@Example.ORG "`` -> ``"ada@example.org"``; InvalidInputError if it is no address."""
    address = text.strip()
    if not address:
        raise InvalidInputError("type your email address")
    if len(address) > MAX_ADDRESS or not _ADDRESS.fullmatch(address):
        shown = address[:60] + ("…" if len(address) > 60 else "")
        raise InvalidInputError(f"{shown!r} is not an email address (like ada@example.org)")
    return address.lower()
