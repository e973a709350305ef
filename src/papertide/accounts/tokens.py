"""Secrets that leave the server (sign-in links, session cookies) and CSRF tokens.

A secret is random; what leaves is ``SECRET.SIGNATURE`` (an HMAC of the
secret under the site key and a purpose), so a forged or truncated value is
refused before the database is asked. The database keeps only the SHA-256
of the secret: a copy of it cannot be used to sign in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_BYTES = 32
MAX_SIGNED_LENGTH = 200


def _mac(key: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Signer:
    """Signs and checks values for one purpose each ("sign-in", "session", "csrf")."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def new_signed(self, purpose: str) -> tuple[str, str]:
        """A fresh ``(signed value, hash of its secret)`` pair."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        return f"{secret}.{_mac(self._key, purpose, secret)}", hash_secret(secret)

    def secret_hash(self, signed: str, purpose: str) -> str | None:
        """The hash of the secret inside ``signed``, or ``None`` if the signature is wrong."""
        if not signed or len(signed) > MAX_SIGNED_LENGTH or signed.count(".") != 1:
            return None
        secret, signature = signed.split(".")
        if not secret or not hmac.compare_digest(signature, _mac(self._key, purpose, secret)):
            return None
        return hash_secret(secret)

    def token_for(self, purpose: str, value: str) -> str:
        """A deterministic token bound to ``value`` (CSRF tokens bound to a session)."""
        return _mac(self._key, purpose, value)

    def check_token(self, purpose: str, value: str, token: str) -> bool:
        if not token or len(token) > MAX_SIGNED_LENGTH:
            return False
        return hmac.compare_digest(token, self.token_for(purpose, value))
