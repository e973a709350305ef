"""Accounts: passwordless sign-in by mailed link, sessions, CSRF tokens, users.

The sign-in flow, in words:

1. someone types an address; unless a rate limit is hit, a link is made
   (random secret, signed; the store keeps only its hash) and mailed. The
   answer is the same whether the address is known or not;
2. the link opens a page with a "Sign in" button (mail scanners that fetch
   links must not use it up: no state changes over GET);
3. pressing it uses the link (once, within 15 minutes) and opens a session
   whose signed secret goes into an HttpOnly cookie.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlencode

from papertide.accounts.addresses import normalise_email
from papertide.accounts.models import Session, SignInToken, User
from papertide.accounts.paths import local_path
from papertide.accounts.rate_limits import RATE_WINDOW_SECONDS, MailLimits
from papertide.accounts.tokens import Signer
from papertide.exceptions import (
    InvalidSignInLinkError,
    NotFoundError,
    PermissionDeniedError,
    StorageError,
)
from papertide.mail.compose import MailComposer
from papertide.settings import Settings
from papertide.store.base import Store

SIGN_IN_MINUTES = 15

TOUCH_INTERVAL = dt.timedelta(hours=1)
SIGN_IN_PURPOSE = "sign-in"
SESSION_PURPOSE = "session"
CSRF_PURPOSE = "csrf"
logger = logging.getLogger("papertide.accounts")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person behind a request."""

    user: User
    session_hash: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the cookie value to set and where to go next."""

    cookie: str
    user: User
    next_path: str
    expires_at: dt.datetime
    new_user: bool


class Accounts:
    """Users, sign-in links, sessions and CSRF tokens over one store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Callable[[], dt.datetime],
        signer: Signer,
        composer: MailComposer,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.signer = signer
        self.composer = composer

    # -- sign-in ------------------------------------------------------------------------

    def request_sign_in(self, email: str, client: str, next_path: str = "/"
                        ) -> EmailMessage | None:
        """The sign-in mail to send for ``email``, or ``None`` when none is due.

        Raises InvalidInputError for a malformed address and RateLimitedError
        when the address or the client asked too often. Whether the address
        belongs to a user changes nothing the caller can see.
        """
        address = normalise_email(email)
        now = self.clock()
        self._check_rate_limits(address, client, now)
        self.store.purge_expired(now, RATE_WINDOW_SECONDS)
        if not self.settings.open_signup and self.store.user_by_email(address) is None:
            logger.info("sign-in asked for an address with no account; no mail sent")
            return None
        link = self.sign_in_link(address, next_path)
        return self.composer.compose(
            address, f"Sign in to {self.settings.site_name}", "sign_in",
            {"email": address, "link": link, "minutes": SIGN_IN_MINUTES}, now,
        )

    def sign_in_link(self, email: str, next_path: str = "/") -> str:
        """Make a fresh single-use link for ``email`` (also for `papertide user link`)."""
        address = normalise_email(email)
        now = self.clock()
        signed, secret_hash = self.signer.new_signed(SIGN_IN_PURPOSE)
        self.store.add_sign_in_token(SignInToken(
            secret_hash, address, now, now + dt.timedelta(minutes=SIGN_IN_MINUTES),
            local_path(next_path),
        ))
        query = urlencode({"token": signed})
        return f"{self.settings.resolved_base_url}/signin/confirm?{query}"

    def pending_sign_in(self, signed: str) -> SignInToken:
        """The unused link behind ``signed`` (for the confirmation page); nothing changes."""
        token = self._token(signed)
        self._refuse_spent(token)
        return token

    def complete_sign_in(self, signed: str) -> SignedIn:
        """Use the link once and open a session."""
        token = self._token(signed)
        now = self.clock()
        used = self.store.use_sign_in_token(token.token_hash, now)
        if used is None:
            self._refuse_spent(self.store.get_sign_in_token(token.token_hash) or token)
            raise InvalidSignInLinkError("this sign-in link cannot be used; ask for a new one")
        user = self.store.user_by_email(used.email)
        new_user = user is None
        if user is None:
            if not self.settings.open_signup:
                raise InvalidSignInLinkError("this address has no account here any more")
            user = self.store.add_user(used.email, False, now)
        cookie, session_hash = self.signer.new_signed(SESSION_PURPOSE)
        expires = now + dt.timedelta(days=self.settings.session_days)
        self.store.add_session(Session(session_hash, user.id, now, expires, now))
        self.store.record_sign_in(user.id, now)
        return SignedIn(cookie, user, used.next_path, expires, new_user)

    def _token(self, signed: str) -> SignInToken:
        token_hash = self.signer.secret_hash(signed.strip(), SIGN_IN_PURPOSE)
        token = self.store.get_sign_in_token(token_hash) if token_hash else None
        if token is None:
            raise InvalidSignInLinkError(
                "this sign-in link is not valid (it may be cut short); copy the whole link "
                "from the mail, or ask for a new one"
            )
        return token

    def _refuse_spent(self, token: SignInToken) -> None:
        if token.used_at is not None:
            raise InvalidSignInLinkError("this sign-in link was used already; each link works "
                                         "once, so ask for a new one")
        if token.expires_at <= self.clock():
            raise InvalidSignInLinkError(f"this sign-in link has expired (links work for "
                                         f"{SIGN_IN_MINUTES} minutes); ask for a new one")

    def _check_rate_limits(self, address: str, client: str, now: dt.datetime) -> None:
        MailLimits("signin", "sign-in links were asked for", self.settings.signin_limit_per_address,
                   self.settings.signin_limit_per_client, self.settings.mail_limit_per_client,
                   self.settings.mail_limit_per_site).enforce(self.store, address, client, now)

    # -- sessions -----------------------------------------------------------------------

    def viewer(self, cookie: str | None) -> Viewer | None:
        """Who holds the session cookie ``cookie`` (``None``: nobody, or it ended)."""
        session_hash = self.signer.secret_hash(cookie, SESSION_PURPOSE) if cookie else None
        if session_hash is None:
            return None
        session = self.store.get_session(session_hash)
        now = self.clock()
        if session is None or session.expires_at <= now:
            return None
        user = self.store.get_user(session.user_id)
        if user is None:
            return None
        if now - session.last_seen_at >= TOUCH_INTERVAL:
            with suppress(StorageError):  # a busy database: a later request touches it
                self.store.touch_session(session_hash, now)
        return Viewer(user, session_hash)

    def sign_out(self, viewer: Viewer) -> None:
        self.store.delete_session(viewer.session_hash)

    def sessions(self, viewer: Viewer) -> list[Session]:
        """The viewer's signed-in browsers (this one included), most recent first."""
        return self.store.sessions_of(viewer.user.id, self.clock())

    def sign_out_elsewhere(self, viewer: Viewer) -> int:
        """End every other session of the viewer; returns how many ended."""
        return self.store.delete_other_sessions(viewer.user.id, viewer.session_hash)

    # -- CSRF ---------------------------------------------------------------------------

    def csrf_token(self, binding: str) -> str:
        """The token forms must send back, bound to a session (or an anonymous cookie)."""
        return self.signer.token_for(CSRF_PURPOSE, binding)

    def check_csrf(self, binding: str | None, token: str | None) -> None:
        if not binding or not token or not self.signer.check_token(CSRF_PURPOSE, binding, token):
            raise PermissionDeniedError(
                "the form's security token is missing or out of date; reload the page and "
                "try again"
            )

    # -- users --------------------------------------------------------------------------

    def add_user(self, email: str, admin: bool = False) -> tuple[User, bool]:
        """Create a user, or make an existing one admin; returns (user, created)."""
        address = normalise_email(email)
        existing = self.store.user_by_email(address)
        if existing is not None:
            if admin and not existing.is_admin:
                self.store.set_admin(existing.id, True)
            return self.store.get_user(existing.id) or existing, False
        return self.store.add_user(address, admin, self.clock()), True

    def set_admin(self, email: str, admin: bool) -> User:
        user = self.user(email)
        self.store.set_admin(user.id, admin)
        return self.store.get_user(user.id) or user

    def remove_user(self, email: str) -> User:
        user = self.user(email)
        self.store.delete_user(user.id)
        return user

    def user(self, email: str) -> User:
        address = normalise_email(email)
        user = self.store.user_by_email(address)
        if user is None:
            raise NotFoundError(f"no user has the address {address}")
        return user

    def users(self) -> list[User]:
        return self.store.list_users()
