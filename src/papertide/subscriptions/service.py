"""Subscribing, confirming, changing preferences and unsubscribing.

The flow, in words:

1. someone types an address into the subscribe form; unless a rate limit is
   hit, a confirmation mail with a signed link is queued (a new address, or
   one that unsubscribed) or, for an address that is subscribed already, a
   mail with its preferences link. The page answers the same in every case,
   so the form tells nobody who is subscribed; a suspended address gets
   nothing. A signed-in person subscribing their own (verified) address is
   subscribed at once;
2. the link opens a page with a button (mail scanners open links; only the
   button's POST confirms);
3. every digest carries a preferences link and an unsubscribe link; the
   unsubscribe link also works as an RFC 8058 one-click POST from the mail
   client's own button.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from papertide.accounts.addresses import normalise_email
from papertide.accounts.rate_limits import RATE_WINDOW_SECONDS, MailLimits
from papertide.digest.models import NewMessage
from papertide.digest.outbox import Outbox
from papertide.digest.render import Links, MailRenderer, OutgoingMail
from papertide.exceptions import (
    InvalidSubscriptionLinkError,
    NotFoundError,
)
from papertide.settings import Settings
from papertide.store.base import Store
from papertide.subscriptions.models import Frequency, Preferences, Subscriber
from papertide.subscriptions.tokens import LinkSigner, Purpose, is_expired

MANAGE_LINK_DAYS = 120
UNDO_MINUTES = 30
logger = logging.getLogger("papertide.subscriptions")
_TOKEN_IN_TEXT = re.compile(r"\bu\.\d{1,18}\.\d{1,12}\.[A-Za-z0-9_-]{20,100}")


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    """What a subscribe request led to; the page shown is the same unless ``active_now``.

    ``message_id`` is the queued mail to send at once (None: no mail is due).
    """

    message_id: int | None
    active_now: Subscriber | None = None


class Subscriptions:
    def __init__(self, settings: Settings, store: Store, clock: Callable[[], dt.datetime],
                 links: LinkSigner, renderer: MailRenderer, outbox: Outbox) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.links = links
        self.renderer = renderer
        self.outbox = outbox
        self.site_url = settings.resolved_base_url

    # -- subscribing --------------------------------------------------------------------

    def subscribe(self, email: str, client: str, verified_email: str | None = None,
                  frequency: Frequency = "daily") -> SubscribeResult:
        """Start a subscription (see the module docstring); raises InvalidInputError
        for an address that is not one and RateLimitedError when asked too often."""
        address = normalise_email(email)
        now = self.clock()
        if verified_email is not None and verified_email == address:
            return SubscribeResult(None, self._subscribe_verified(address, frequency, now))
        self._check_rate_limits(address, client, now)
        subscriber = self.store.subscriber_by_email(address)
        if subscriber is None:
            subscriber = self.store.add_subscriber(address, self._new_preferences(frequency),
                                                   now)
        elif subscriber.status == "suspended":
            logger.info("subscribe asked for a suspended address; no mail sent")
            return SubscribeResult(None)
        elif subscriber.status == "active":
            return SubscribeResult(self._queue_manage_mail(subscriber, now))
        else:  # pending (again), or unsubscribed and coming back
            if subscriber.status == "unsubscribed":
                self.store.set_subscriber_status(subscriber.id, "pending", now)
            self.store.save_preferences(subscriber.id, _with_frequency(subscriber.preferences,
                                                                       frequency))
        return SubscribeResult(self._queue_confirmation(subscriber, now))

    def _subscribe_verified(self, address: str, frequency: Frequency, now: dt.datetime
                            ) -> Subscriber:
        subscriber = self.store.subscriber_by_email(address)
        if subscriber is None:
            subscriber = self.store.add_subscriber(address, self._new_preferences(frequency),
                                                   now)
        if subscriber.status != "active":
            self.store.set_subscriber_status(subscriber.id, "active", now)
        found = self.store.get_subscriber(subscriber.id)
        assert found is not None
        return found

    def _new_preferences(self, frequency: Frequency) -> Preferences:
        return Preferences(frequency=frequency,
                           trending_count=self.settings.digest_trending_default)

    def _queue_confirmation(self, subscriber: Subscriber, now: dt.datetime) -> int | None:
        hours = self.settings.subscribe_confirm_hours
        token = self.links.make("confirm", subscriber.id, subscriber.email,
                                now + dt.timedelta(hours=hours))
        message = self.renderer.notice_message(
            "confirm", subscriber.email, subscriber.preferences.name,
            f"Confirm your subscription to {self.settings.site_name}",
            {"email": subscriber.email, "link": self._url("/subscribe/confirm", token),
             "hours": hours}, now)
        return self._queue(message, subscriber, "confirm")

    def _queue_manage_mail(self, subscriber: Subscriber, now: dt.datetime) -> int | None:
        links = self.links_for(subscriber)
        message = self.renderer.notice_message(
            "manage", subscriber.email, subscriber.preferences.name,
            f"Your {self.settings.site_name} subscription",
            {"email": subscriber.email, "link": links.manage, "unsubscribe": links.unsubscribe},
            now, self.renderer.list_headers(links, "digest"))
        return self._queue(message, subscriber, "manage")

    def _queue(self, message: OutgoingMail, subscriber: Subscriber,
               kind: str) -> int | None:
        return self.outbox.enqueue(NewMessage(
            key=f"{kind}:{subscriber.id}:{uuid.uuid4().hex}",
            kind="confirm" if kind == "confirm" else "manage",
            subscriber_id=subscriber.id,
            recipient=subscriber.email,
            sender=self.renderer.envelope_sender,
            message_id=message.message_id,
            data=message.data,
        ))

    def _check_rate_limits(self, address: str, client: str, now: dt.datetime) -> None:
        self.store.purge_expired(now, RATE_WINDOW_SECONDS)
        limits = MailLimits("subscribe", "subscription requests",
                            self.settings.subscribe_limit_per_address,
                            self.settings.subscribe_limit_per_client,
                            self.settings.mail_limit_per_client,
                            self.settings.mail_limit_per_site)
        limits.enforce(self.store, address, client, now)

    # -- links --------------------------------------------------------------------------

    def links_for(self, subscriber: Subscriber) -> Links:
        now = self.clock()
        manage = self.links.make("manage", subscriber.id, subscriber.email,
                                 now + dt.timedelta(days=MANAGE_LINK_DAYS))
        unsubscribe = self.links.make("unsubscribe", subscriber.id, subscriber.email, None)
        return Links(
            manage=self._url("/subscription", manage),
            unsubscribe=self._url("/unsubscribe", unsubscribe),
            unsubscribe_mailto=(f"mailto:{self.unsubscribe_address}?subject="
                                f"{quote('unsubscribe ' + unsubscribe)}"),
        )

    def manage_token(self, subscriber: Subscriber) -> str:
        return self.links.make("manage", subscriber.id, subscriber.email,
                               self.clock() + dt.timedelta(days=MANAGE_LINK_DAYS))

    @property
    def unsubscribe_address(self) -> str:
        configured = self.settings.mail_unsubscribe_address
        return configured or f"unsubscribe@{self.renderer.domain}"

    def _url(self, path: str, token: str) -> str:
        return f"{self.site_url}{path}?{urlencode({'token': token})}"

    def subscriber_for(self, token: str, purpose: Purpose) -> Subscriber:
        """The subscriber a valid link names; InvalidSubscriptionLinkError otherwise."""
        claim = self.links.read(token, purpose)
        subscriber = self.store.get_subscriber(claim.subscriber_id) if claim else None
        if claim is None or subscriber is None or not self.links.verify(claim,
                                                                       subscriber.email):
            raise InvalidSubscriptionLinkError(
                "this link is not valid (it may be cut short); copy the whole link from the "
                "mail, or subscribe again to get a new one")
        if is_expired(claim, self.clock()):
            what = ("confirmation links work for "
                    f"{self.settings.subscribe_confirm_hours} hours"
                    if purpose == "confirm" else "links in mail work for a few months")
            raise InvalidSubscriptionLinkError(
                f"this link has expired ({what}); subscribe again with your address to get "
                "a fresh one")
        return subscriber

    # -- confirming, preferences, leaving -----------------------------------------------

    def confirm(self, token: str) -> Subscriber:
        """Activate the subscription a confirmation link names (again: no change)."""
        subscriber = self.subscriber_for(token, "confirm")
        if subscriber.status == "suspended":
            raise InvalidSubscriptionLinkError(
                "mail to this address was stopped after the mail server refused it; "
                "write to the site's admin to have it resume")
        if subscriber.status != "active":
            self.store.set_subscriber_status(subscriber.id, "active", self.clock())
        return self._fresh(subscriber)

    def save_preferences(self, token: str, preferences: Preferences) -> Subscriber:
        subscriber = self.subscriber_for(token, "manage")
        self.store.save_preferences(subscriber.id, preferences)
        return self._fresh(subscriber)

    def unsubscribe(self, token: str, purpose: Purpose = "unsubscribe") -> Subscriber:
        """Stop every digest to the address (idempotent); waiting digests are dropped."""
        subscriber = self.subscriber_for(token, purpose)
        if subscriber.status in ("active", "pending"):
            self.store.set_subscriber_status(subscriber.id, "unsubscribed", self.clock())
        return self._fresh(subscriber)

    def resubscribe(self, token: str, purpose: Purpose) -> Subscriber:
        """Undo an unsubscribe: from the preferences page, or from the page that confirmed it.

        The unsubscribe link never expires and sits in every digest's headers, so
        it is bound to the unsubscribe it just made: it works only minutes after
        it, and never opens the preferences (a mailed ``manage`` link does that).
        """
        subscriber = self.subscriber_for(token, purpose)
        now = self.clock()
        if purpose == "manage":
            if subscriber.status == "unsubscribed":
                self.store.set_subscriber_status(subscriber.id, "active", now)
            return self._fresh(subscriber)
        left_at = subscriber.unsubscribed_at
        if (subscriber.status != "unsubscribed" or left_at is None
                or now - left_at > dt.timedelta(minutes=UNDO_MINUTES)):
            raise InvalidSubscriptionLinkError(
                f"an unsubscribe can be undone only in the {UNDO_MINUTES} minutes after it; "
                "subscribe again with your address instead")
        self.store.set_subscriber_status(subscriber.id, "active", now)
        return self._fresh(subscriber)

    def forget(self, token: str) -> str:
        """Delete the subscriber and everything kept about them; returns the address."""
        subscriber = self.subscriber_for(token, "manage")
        self.store.delete_subscriber(subscriber.id)
        return subscriber.email

    def unsubscribe_by_mail(self, text: str) -> Subscriber | None:
        """Act on a mail sent to the List-Unsubscribe mailto (its subject holds the token)."""
        match = _TOKEN_IN_TEXT.search(text)
        if match is None:
            return None
        try:
            return self.unsubscribe(match.group(0))
        except InvalidSubscriptionLinkError:
            return None

    # -- administration -----------------------------------------------------------------

    def resume(self, email: str) -> Subscriber:
        """Let mail go to a suspended address again (an admin decided it works now)."""
        subscriber = self.store.subscriber_by_email(normalise_email(email))
        if subscriber is None:
            raise NotFoundError(f"no subscriber has the address {email[:100]}")
        if subscriber.status == "suspended":
            self.store.set_subscriber_status(subscriber.id, "active", self.clock())
        return self._fresh(subscriber)

    def subscriber(self, email: str) -> Subscriber:
        subscriber = self.store.subscriber_by_email(normalise_email(email))
        if subscriber is None:
            raise NotFoundError(f"no subscriber has the address {email[:100]}")
        return subscriber

    def _fresh(self, subscriber: Subscriber) -> Subscriber:
        return self.store.get_subscriber(subscriber.id) or subscriber


def _with_frequency(preferences: Preferences, frequency: Frequency) -> Preferences:
    return Preferences(frequency, preferences.trending_count, preferences.categories,
                       preferences.searches, preferences.send_empty,
                       preferences.personal_picks, preferences.name)
