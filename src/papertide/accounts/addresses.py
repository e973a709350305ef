"""Email addresses as people type them, checked and normalised: one rule for sign-in,
subscribing and the admin commands.

``email-validator`` knows the RFCs (length limits, dot rules, IDN domains,
reserved names like ``localhost`` and dotless domains), without asking DNS: a
lookup per form post would be slow and would leak what people type to a
resolver. The result is lower-cased, so a subscriber and a signed-in user with
the same address are recognised as one person.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from papertide.exceptions import InvalidInputError

MAX_SHOWN = 60


def normalise_email(text: str) -> str:
    """``" Ada@Example.ORG "`` -> ``"ada@example.org"``; InvalidInputError with the reason."""
    address = text.strip()
    if not address:
        raise InvalidInputError("type your email address")
    shown = address[:MAX_SHOWN] + ("…" if len(address) > MAX_SHOWN else "")
    shown = "".join(char if char.isprintable() else "?" for char in shown)
    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=False,
                               allow_quoted_local=False, allow_domain_literal=False,
                               strict=True)
    except EmailNotValidError as error:
        raise InvalidInputError(f"{shown!r} is not an email address we can send to: "
                                f"{error}") from None
    return (valid.ascii_email or valid.normalized).lower()
