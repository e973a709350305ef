"""Subscribe, confirm, preferences and unsubscribe pages.

No password and no session: each page after the first is reached by a signed
link from a mail, and the link is what authorises the change, so these forms
carry the link's token instead of a CSRF token (a forged request would need
the token itself). The subscribe form sits in the footer of every page,
including cached ones, so it carries no per-visitor token either: it changes
nothing but queue a confirmation mail, which any request could do, and it is
limited per address and per client; a cross-site ``Origin`` is refused.
A signed-in person who subscribes their own address (with the session's CSRF
token) is subscribed at once: their sign-in proved the address already.

``POST /unsubscribe`` is RFC 8058's one-click unsubscribe: mail clients call it
with ``List-Unsubscribe=One-Click`` as the body, no cookie, no token but the
one in the URL.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from starlette.responses import RedirectResponse, Response

from papertide.app import Papertide
from papertide.exceptions import (
    InvalidInputError,
    InvalidSubscriptionLinkError,
    PapertideError,
)
from papertide.subscriptions.models import Subscriber
from papertide.subscriptions.preferences import parse_frequency, parse_preferences
from papertide.subscriptions.tokens import Purpose
from papertide.web.clients import client_of
from papertide.web.deps import RendererDep, ServiceDep
from papertide.web.forms import PairsDep, check_csrf, check_origin
from papertide.web.presenters import with_query
from papertide.web.session import current_viewer
from papertide.web.templating import PAGE_HEADERS

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("papertide.web")
TokenParam = Annotated[str, Query(max_length=300)]
FlagParam = Annotated[str, Query(max_length=5)]


def _deliver_now(service: Papertide, message_id: int) -> None:
    """Send one queued mail right away (the worker retries it if this fails)."""
    try:
        report = service.digests.deliver(ids=[message_id])
    except PapertideError:
        logger.exception("a subscription mail was not sent; the outbox keeps it")
        return
    if report.error:
        logger.warning("a subscription mail is waiting in the outbox: %s", report.error)


def _preferences_url(service: Papertide, subscriber: Subscriber, flag: str = "") -> str:
    token = service.digests.subscriptions.manage_token(subscriber)
    return with_query("/subscription", [("token", token), (flag, "1" if flag else "")])


# -- subscribing ----------------------------------------------------------------------


@router.get("/subscribe")
def subscribe_page(request: Request, service: ServiceDep, renderer: RendererDep) -> Response:
    viewer = current_viewer(request)
    own = None
    if viewer is not None:
        own = service.store.subscriber_by_email(viewer.user.email)
    return renderer.page(request, "subscribe.html", {
        "section": "subscribe", "error": None, "email": viewer.user.email if viewer else "",
        "frequency": "daily", "own": own,
        "own_url": _preferences_url(service, own) if own and own.status == "active" else None,
    })


@router.post("/subscribe")
def subscribe(request: Request, service: ServiceDep, renderer: RendererDep,
              background: BackgroundTasks, pairs: PairsDep) -> Response:
    form = dict(pairs)
    check_origin(request, service, "cannot subscribe anyone here")
    email = form.get("email", "")
    viewer = current_viewer(request)
    verified = None
    if viewer is not None and form.get("csrf_token"):
        check_csrf(request, service, form)
        verified = viewer.user.email
    try:
        frequency = parse_frequency(form.get("frequency") or "daily")
        client = client_of(request, service.settings)
        result = service.digests.subscriptions.subscribe(email, client, verified, frequency)
    except InvalidInputError as error:
        return renderer.page(request, "subscribe.html", {
            "section": "subscribe", "error": str(error), "email": email[:254],
            "frequency": "daily", "own": None, "own_url": None}, status_code=400)
    if result.active_now is not None:
        return RedirectResponse(_preferences_url(service, result.active_now, "welcome"),
                                status_code=303)
    if result.message_id is not None:
        background.add_task(_deliver_now, service, result.message_id)
    return RedirectResponse("/subscribe/sent", status_code=303)


@router.get("/subscribe/sent")
def subscribe_sent(request: Request, renderer: RendererDep) -> Response:
    return renderer.page(request, "subscribe_sent.html", {"section": "subscribe"})


@router.get("/subscribe/confirm")
def confirm_page(request: Request, service: ServiceDep, renderer: RendererDep,
                 token: TokenParam = "") -> Response:
    """The mailed link lands here: a button, because mail scanners open links too."""
    return _linked_page(request, service, renderer, token, "confirm", "subscribe_confirm.html")


@router.post("/subscribe/confirm")
def confirm(request: Request, service: ServiceDep, renderer: RendererDep,
            pairs: PairsDep) -> Response:
    form = dict(pairs)
    try:
        subscriber = service.digests.subscriptions.confirm(form.get("token", ""))
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return RedirectResponse(_preferences_url(service, subscriber, "welcome"), status_code=303)


def _linked_page(request: Request, service: Papertide, renderer: RendererDep, token: str,
                 purpose: Purpose, template: str) -> Response:
    """The page a mailed link of ``purpose`` opens (a button to press), or why it cannot."""
    try:
        subscriber = service.digests.subscriptions.subscriber_for(token, purpose)
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return no_store(renderer.page(request, template, {
        "section": "subscribe", "token": token, "subscriber": subscriber}))


def _link_error(request: Request, renderer: RendererDep, message: str) -> Response:
    return renderer.page(request, "subscription_link_error.html",
                         {"section": "subscribe", "error": message}, status_code=400)


# -- preferences ----------------------------------------------------------------------


@router.get("/subscription")
def preferences_page(request: Request, service: ServiceDep, renderer: RendererDep,
                     token: TokenParam = "", saved: FlagParam = "",
                     welcome: FlagParam = "") -> Response:
    if not token:
        signed_in = _own_preferences_redirect(request, service)
        if signed_in is not None:
            return signed_in
    try:
        subscriber = service.digests.subscriptions.subscriber_for(token, "manage")
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return _preferences(request, service, renderer, subscriber, token,
                        notice="Saved." if saved else None, welcome=bool(welcome))


def _own_preferences_redirect(request: Request, service: Papertide) -> Response | None:
    """A signed-in reader needs no mailed link: their sign-in proved the address."""
    viewer = current_viewer(request)
    if viewer is None:
        return None
    own = service.store.subscriber_by_email(viewer.user.email)
    if own is None:
        return RedirectResponse("/subscribe", status_code=303)
    return RedirectResponse(_preferences_url(service, own), status_code=303)


def _preferences(request: Request, service: Papertide, renderer: RendererDep,
                 subscriber: Subscriber, token: str, notice: str | None = None,
                 error: str | None = None, welcome: bool = False,
                 values: dict[str, object] | None = None, status_code: int = 200) -> Response:
    preferences = subscriber.preferences
    followed = service.settings.followed_categories
    shown: dict[str, object] = {
        "frequency": preferences.frequency,
        "trending_count": preferences.trending_count,
        "categories": preferences.categories,
        "more_categories": " ".join(c for c in preferences.categories if c not in followed),
        "searches": "\n".join(preferences.searches),
        "send_empty": preferences.send_empty,
        "personal_picks": preferences.personal_picks,
        "name": preferences.name,
    }
    shown.update(values or {})
    user = service.store.user_by_email(subscriber.email)
    return no_store(renderer.page(request, "subscription.html", {
        "section": "subscribe", "subscriber": subscriber, "token": token, "notice": notice,
        "error": error, "welcome": welcome, "values": shown, "followed": followed,
        "has_account": user is not None,
        "unsubscribe_token": service.digests.subscriptions.links.make(
            "unsubscribe", subscriber.id, subscriber.email, None),
    }, status_code=status_code))


@router.post("/subscription")
def save_preferences(request: Request, service: ServiceDep, renderer: RendererDep,
                     pairs: PairsDep) -> Response:
    form = dict(pairs)
    token = form.get("token", "")
    subscriptions = service.digests.subscriptions
    try:
        subscriber = subscriptions.subscriber_for(token, "manage")
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    checked = [value for name, value in pairs if name == "category"]
    try:
        preferences = parse_preferences(form, checked, subscriber.preferences)
    except InvalidInputError as error:
        submitted: dict[str, object] = {
            "frequency": form.get("frequency", ""), "trending_count": form.get("trending_count",
                                                                               ""),
            "categories": tuple(checked), "more_categories": form.get("more_categories", ""),
            "searches": form.get("searches", ""), "send_empty": form.get("send_empty") == "on",
            "personal_picks": form.get("personal_picks") == "on",
            "name": form.get("name", "")[:200],
        }
        return _preferences(request, service, renderer, subscriber, token, error=str(error),
                            values=submitted, status_code=400)
    subscriptions.save_preferences(token, preferences)
    return RedirectResponse(with_query("/subscription", [("token", token), ("saved", "1")]),
                            status_code=303)


@router.post("/subscription/resubscribe")
def resubscribe_from_preferences(request: Request, service: ServiceDep, renderer: RendererDep,
                                 pairs: PairsDep) -> Response:
    token = dict(pairs).get("token", "")
    try:
        service.digests.subscriptions.resubscribe(token, "manage")
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return RedirectResponse(with_query("/subscription", [("token", token), ("saved", "1")]),
                            status_code=303)


@router.post("/subscription/forget")
def forget(request: Request, service: ServiceDep, renderer: RendererDep,
           pairs: PairsDep) -> Response:
    form = dict(pairs)
    try:
        email = service.digests.subscriptions.forget(form.get("token", ""))
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return renderer.page(request, "unsubscribed.html", {
        "section": "subscribe", "email": email, "forgotten": True, "token": ""})


# -- unsubscribing --------------------------------------------------------------------


@router.get("/unsubscribe")
def unsubscribe_page(request: Request, service: ServiceDep, renderer: RendererDep,
                     token: TokenParam = "") -> Response:
    return _linked_page(request, service, renderer, token, "unsubscribe", "unsubscribe.html")


@router.post("/unsubscribe")
def unsubscribe(request: Request, service: ServiceDep, renderer: RendererDep,
                pairs: PairsDep, token: TokenParam = "") -> Response:
    """RFC 8058 one-click (token in the URL) or the unsubscribe page's button."""
    chosen = token or dict(pairs).get("token", "")
    try:
        subscriber = service.digests.subscriptions.unsubscribe(chosen)
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return no_store(renderer.page(request, "unsubscribed.html", {
        "section": "subscribe", "email": subscriber.email, "forgotten": False,
        "token": chosen}))


@router.post("/unsubscribe/undo")
def undo_unsubscribe(request: Request, service: ServiceDep, renderer: RendererDep,
                     pairs: PairsDep) -> Response:
    form = dict(pairs)
    try:
        subscriber = service.digests.subscriptions.resubscribe(form.get("token", ""),
                                                               "unsubscribe")
    except InvalidSubscriptionLinkError as error:
        return _link_error(request, renderer, str(error))
    return no_store(renderer.page(request, "resubscribed.html", {
        "section": "subscribe", "email": subscriber.email}))


def no_store(response: Response) -> Response:
    """Pages behind signed links must not be kept by shared caches."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.update({name: value for name, value in PAGE_HEADERS.items()
                             if name not in response.headers})
    return response

