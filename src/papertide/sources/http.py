"""The HTTP client every network source uses: polite, patient with busy servers.

- every attempt (redirects included) takes a slot from the source's
  :class:`~papertide.sources.ratelimit.RateLimiter`, and the whole body is read
  inside the slot, so one connection at a time is really one;
- 503 and 429 with ``Retry-After`` (seconds or an HTTP date) are honoured, and the
  pause applies to every user of the limiter; other 5xx, timeouts and broken
  connections are retried with exponential backoff; all waits are capped;
- any other 4xx is final: :class:`SourceHTTPError` keeps the body so that the
  adapter can report the server's own words (arXiv's error feed...);
- the User-Agent names papertide and the deployment's contact address.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from papertide import __version__
from papertide.exceptions import SourceError, SourceHTTPError
from papertide.sources.ratelimit import RateLimiter

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_BODY_BYTES = 200_000_000
RETRY_AFTER_STATUSES = frozenset({429, 503})
# A damaged body is fetched once more: truncation is usually a dropped connection.
DAMAGED_BODY_ATTEMPTS = 2
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


class ParsedPage(Protocol):
    """A parsed answer that knows whether it could be read whole."""

    @property
    def is_whole(self) -> bool: ...


PageT = TypeVar("PageT", bound=ParsedPage)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to try again (see the ``http_*`` settings)."""

    max_attempts: int = 5
    backoff: float = 2.0
    max_wait: float = 600.0

    def backoff_delay(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1, 2, ...): doubling, capped."""
        return float(min(self.backoff * 2.0 ** (attempt - 1), self.max_wait))


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful response, body read in full."""

    url: str
    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


@dataclass(frozen=True, slots=True)
class _Retry:
    wait: float
    problem: str


def user_agent(contact_email: str) -> str:
    contact = f"mailto:{contact_email}" if contact_email else "contact not configured"
    return f"papertide/{__version__} (self-hosted paper tracker; {contact})"


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP date; None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max((moment - now).total_seconds(), 0.0)


def body_excerpt(body: bytes, limit: int = 200) -> str:
    """A one-line taste of an error body for messages (markup stripped)."""
    text = _SPACES.sub(" ", _TAGS.sub(" ", body[:4_000].decode("utf-8", "replace"))).strip()
    return text[:limit] + ("…" if len(text) > limit else "")


class PoliteClient:
    """GET with rate limit, retries and clear errors; one instance per limiter group."""

    def __init__(
        self,
        limiter: RateLimiter,
        policy: RetryPolicy,
        agent: str,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.limiter = limiter
        self.policy = policy
        self._sent = threading.local()
        self._client = httpx.Client(
            headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def requests_sent_by_this_thread(self) -> int:
        """Attempts made from the calling thread: a run's own count, whatever runs beside it."""
        return int(getattr(self._sent, "count", 0))

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Fetched:
        """The body of ``url``; raises SourceHTTPError (4xx) or SourceError (gave up)."""
        target, query = url, dict(params or {})
        attempt = redirects = 0
        while True:
            attempt += 1
            with self.limiter.slot() as slot:
                self._sent.count = self.requests_sent_by_this_thread() + 1
                outcome = self._attempt(target, query, attempt)
                if isinstance(outcome, _Retry) and attempt < self.policy.max_attempts:
                    # Still inside the slot: no other user of the limiter slips in before it.
                    slot.pause(outcome.wait)
            if isinstance(outcome, Fetched):
                return outcome
            if isinstance(outcome, _Redirect):
                redirects += 1
                if redirects > MAX_REDIRECTS:
                    raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects")
                target, query, attempt = outcome.location, {}, attempt - 1
                continue
            if attempt >= self.policy.max_attempts:
                raise SourceError(f"gave up on {_host(target)} after {attempt} attempts: "
                                  f"{outcome.problem} ({target})")
            log.warning("%s: %s; trying again in %.1f s (attempt %d of %d)", _host(target),
                        outcome.problem, outcome.wait, attempt + 1, self.policy.max_attempts)

    def _attempt(self, url: str, params: Mapping[str, str], attempt: int
                 ) -> Fetched | _Redirect | _Retry:
        try:
            response, body = self._send(url, params)
        except httpx.RequestError as error:
            return _Retry(self.policy.backoff_delay(attempt), _describe(error))
        location = response.headers.get("location")
        if response.is_redirect and location:
            return _Redirect(urljoin(str(response.url), location))
        if response.is_success:
            return Fetched(str(response.url), response.status_code, body,
                           response.headers.get("content-type", ""))
        problem = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.status_code < 500 and response.status_code not in RETRY_AFTER_STATUSES:
            raise SourceHTTPError(
                f"{_host(url)} refused the request ({problem}): {body_excerpt(body)}",
                response.status_code, str(response.url), body,
            )
        return _Retry(self._server_wait(response, attempt, problem), problem)

    def get_page(
        self, url: str, params: Mapping[str, str], parse: Callable[[bytes], PageT]
    ) -> PageT:
        """GET and parse; a page that parses only in part is fetched once more before use."""
        for attempt in range(1, DAMAGED_BODY_ATTEMPTS + 1):
            page = parse(self.get(url, params).body)
            if page.is_whole or attempt == DAMAGED_BODY_ATTEMPTS:
                return page
            log.warning("%s: the response was damaged; fetching it once more", _host(url))
        raise AssertionError("unreachable")

    def _send(self, url: str, params: Mapping[str, str]) -> tuple[httpx.Response, bytes]:
        request = self._client.build_request("GET", url, params=params or None)
        response = self._client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise SourceError(
                        f"{_host(url)} sent more than {MAX_BODY_BYTES:,} bytes; refusing the rest"
                    )
                chunks.append(chunk)
            return response, b"".join(chunks)
        finally:
            response.close()

    def _server_wait(self, response: httpx.Response, attempt: int, problem: str) -> float:
        """How long a 5xx/429 tells us to wait; a demand beyond ``max_wait`` fails the run."""
        asked = None
        if response.status_code in RETRY_AFTER_STATUSES:
            asked = retry_after_seconds(response.headers.get("retry-after"),
                                        dt.datetime.now(dt.UTC))
        if asked is None:
            return self.policy.backoff_delay(attempt)
        if asked > self.policy.max_wait:
            raise SourceError(
                f"{_host(str(response.url))} is busy ({problem}) and asks to wait {asked:.0f} s, "
                f"more than http_max_wait ({self.policy.max_wait:.0f} s); try again later"
            )
        return asked


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _describe(error: httpx.RequestError) -> str:
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "connection failed"
    detail = str(error) or type(error).__name__
    return f"{kind} ({detail})"
