"""What is known about a paper's popularity, in words a reader can check.

Built from the stored observations (``Store.signal_series``): the latest HF
upvote, comment and GitHub star counts when papers were ingested live, the
repository and keywords, and the recorded HF front-page sightings — which are
positions on a page, not upvotes, and are labelled so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from papertide.models import SignalSeries
from papertide.sources.hf_daily import (
    SIGNAL_COMMENTS,
    SIGNAL_GITHUB_REPO,
    SIGNAL_GITHUB_STARS,
    SIGNAL_KEYWORDS,
    SIGNAL_UPVOTES,
)
from papertide.sources.hf_front_page import SIGNAL_FRONT_PAGE


@dataclass(frozen=True, slots=True)
class SignalSummary:
    """A paper's outside signals; ``None`` (or empty) where nothing is known."""

    hf_upvotes: int | None = None
    hf_comments: int | None = None
    github_stars: int | None = None
    github_repo: str | None = None
    keywords: tuple[str, ...] = ()
    front_page_snapshots: int = 0
    front_page_best: int | None = None
    front_page_first: dt.datetime | None = None
    front_page_last: dt.datetime | None = None
    observed_at: dt.datetime | None = None

    @property
    def is_positive(self) -> bool:
        """Whether anything says people paid attention (upvotes, stars, the front page)."""
        return bool(self.hf_upvotes or self.github_stars or self.front_page_snapshots)

    @property
    def front_page_label(self) -> str | None:
        """``on the HF front page in 14 snapshots, best #3``, or None if never seen there."""
        if not self.front_page_snapshots:
            return None
        count = self.front_page_snapshots
        best = f", best #{self.front_page_best}" if self.front_page_best else ""
        return f"on the HF front page in {count:,} snapshot{'s' if count != 1 else ''}{best}"

    @property
    def parts(self) -> tuple[str, ...]:
        """The short phrases of a one-line summary, most telling first."""
        parts: list[str] = []
        if self.hf_upvotes is not None:
            parts.append(_count(self.hf_upvotes, "HF upvote"))
        if self.front_page_label:
            parts.append(self.front_page_label)
        if self.github_stars is not None:
            parts.append(_count(self.github_stars, "GitHub star"))
        if self.hf_comments:
            parts.append(_count(self.hf_comments, "comment"))
        return tuple(parts)


def _count(value: int, noun: str) -> str:
    return f"{value:,} {noun}{'s' if value != 1 else ''}"


def summarise(series: Iterable[SignalSeries]) -> SignalSummary:
    """One paper's summary from its per-signal series."""
    by_signal = {item.signal: item for item in series}
    front = by_signal.get(SIGNAL_FRONT_PAGE)
    repo = by_signal.get(SIGNAL_GITHUB_REPO)
    keywords = by_signal.get(SIGNAL_KEYWORDS)
    words = keywords.latest_extra.get("keywords") if keywords else None
    return SignalSummary(
        hf_upvotes=_latest_count(by_signal.get(SIGNAL_UPVOTES)),
        hf_comments=_latest_count(by_signal.get(SIGNAL_COMMENTS)),
        github_stars=_latest_count(by_signal.get(SIGNAL_GITHUB_STARS)),
        github_repo=repo.latest_text if repo else None,
        keywords=tuple(str(word) for word in words) if isinstance(words, list) else (),
        front_page_snapshots=front.observations if front else 0,
        front_page_best=int(front.lowest) if front and front.lowest else None,
        front_page_first=front.first_at if front else None,
        front_page_last=front.last_at if front else None,
        observed_at=max((item.last_at for item in by_signal.values()), default=None),
    )


def _latest_count(series: SignalSeries | None) -> int | None:
    if series is None or series.latest_number is None:
        return None
    return int(series.latest_number)
