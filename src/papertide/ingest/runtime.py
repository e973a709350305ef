"""The network side of ingestion, built once per process from the settings.

One :class:`~papertide.sources.ratelimit.RateLimiter` serves every arXiv host
(RSS, API, OAI-PMH), whichever source or thread asks, and its lock file in the
data dir extends the limit to other papertide processes using the same data.
Hugging Face has a limiter of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from papertide.settings import Settings
from papertide.sources.arxiv_api import ArxivApi
from papertide.sources.arxiv_oai import ArxivOai
from papertide.sources.hf_daily import HfDaily
from papertide.sources.http import PoliteClient, RetryPolicy, user_agent
from papertide.sources.ratelimit import RateLimiter

ARXIV_LOCK_FILE = "arxiv-requests.lock"


@dataclass
class Sources:
    """Clients and adapters for every source; close it when done."""

    settings: Settings
    arxiv_client: PoliteClient
    hf_client: PoliteClient
    api: ArxivApi
    oai: ArxivOai
    hf: HfDaily
    # Runs in several threads (the scheduler) sync the search index one at a time.
    sync_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rss_url(self) -> str:
        return self.settings.arxiv_rss_url

    def requests_sent(self) -> int:
        """Requests made so far by the calling thread (runs count their own this way)."""
        return (self.arxiv_client.requests_sent_by_this_thread()
                + self.hf_client.requests_sent_by_this_thread())

    def close(self) -> None:
        self.arxiv_client.close()
        self.hf_client.close()


def build_sources(settings: Settings, transport: httpx.BaseTransport | None = None) -> Sources:
    policy = RetryPolicy(settings.http_max_attempts, settings.http_retry_backoff,
                         settings.http_max_wait)
    agent = user_agent(settings.contact_email)
    arxiv_limiter = RateLimiter(settings.arxiv_request_interval,
                                settings.data_dir / ARXIV_LOCK_FILE)
    arxiv = PoliteClient(arxiv_limiter, policy, agent, settings.http_timeout, transport)
    hf = PoliteClient(RateLimiter(settings.hf_request_interval), policy, agent,
                      settings.http_timeout, transport)
    return Sources(
        settings=settings,
        arxiv_client=arxiv,
        hf_client=hf,
        api=ArxivApi(arxiv, settings.arxiv_api_url),
        oai=ArxivOai(arxiv, settings.arxiv_oai_url),
        hf=HfDaily(hf, settings.hf_daily_papers_url),
    )


@contextmanager
def opened_sources(settings: Settings) -> Iterator[Sources]:
    sources = build_sources(settings)
    try:
        yield sources
    finally:
        sources.close()
