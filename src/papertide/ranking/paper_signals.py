"""What cards and paper pages say about a paper's outside signals, from the newest
observations: Hugging Face upvotes and comments, the code repository and its stars,
keywords, the machine summary and the project page.

Pure: observations in, one small record per paper out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from papertide.models import Observation
from papertide.sources.hf_daily import (
    SIGNAL_COMMENTS,
    SIGNAL_GITHUB_REPO,
    SIGNAL_GITHUB_STARS,
    SIGNAL_KEYWORDS,
    SIGNAL_PROJECT_PAGE,
    SIGNAL_SUMMARY,
    SIGNAL_UPVOTES,
)
from papertide.sources.hf_daily import SOURCE_NAME as HF_DAILY

SHOWN_SIGNALS = frozenset({SIGNAL_UPVOTES, SIGNAL_COMMENTS, SIGNAL_GITHUB_REPO,
                           SIGNAL_GITHUB_STARS, SIGNAL_KEYWORDS, SIGNAL_SUMMARY,
                           SIGNAL_PROJECT_PAGE})
KEYWORDS_ON_CARD = 4


@dataclass(frozen=True, slots=True)
class PaperSignals:
    """The latest known value of each signal; ``None`` (or empty) when never observed.

    ``comments`` counts the comments of the outside source's discussion; a local
    discussion count belongs beside it once papertide has discussions.
    """

    hf_upvotes: int | None = None
    comments: int | None = None
    github_url: str | None = None
    github_stars: int | None = None
    keywords: tuple[str, ...] = ()
    summary: str | None = None
    summary_source: str | None = None
    project_url: str | None = None

    @property
    def github_name(self) -> str | None:
        """``owner/repo`` of a GitHub link, what a card has room for."""
        if not self.github_url:
            return None
        parts = urlsplit(self.github_url)
        path = parts.path.strip("/").removesuffix(".git")
        return path if parts.hostname in ("github.com", "www.github.com") and path else None

    @property
    def card_keywords(self) -> tuple[str, ...]:
        return self.keywords[:KEYWORDS_ON_CARD]


NO_SIGNALS = PaperSignals()


def paper_signals(observations: Iterable[Observation]) -> dict[str, PaperSignals]:
    """One record per paper from the newest observation of each (paper, signal)."""
    values: dict[str, dict[str, Observation]] = {}
    for observation in observations:
        if observation.signal in SHOWN_SIGNALS:
            values.setdefault(observation.arxiv_id, {})[observation.signal] = observation
    return {arxiv_id: _signals(latest) for arxiv_id, latest in values.items()}


def _signals(latest: dict[str, Observation]) -> PaperSignals:
    summary = latest.get(SIGNAL_SUMMARY)
    return PaperSignals(
        hf_upvotes=_count(latest.get(SIGNAL_UPVOTES)),
        comments=_count(latest.get(SIGNAL_COMMENTS)),
        github_url=_link(latest.get(SIGNAL_GITHUB_REPO)),
        github_stars=_count(latest.get(SIGNAL_GITHUB_STARS)),
        keywords=_keywords(latest.get(SIGNAL_KEYWORDS)),
        summary=summary.value_text if summary else None,
        summary_source=_summary_source(summary) if summary else None,
        project_url=_link(latest.get(SIGNAL_PROJECT_PAGE)),
    )


def _count(observation: Observation | None) -> int | None:
    if observation is None or observation.value_number is None:
        return None
    return int(observation.value_number)


def _link(observation: Observation | None) -> str | None:
    text = observation.value_text if observation else None
    return text if text and text.startswith(("https://", "http://")) else None


def _keywords(observation: Observation | None) -> tuple[str, ...]:
    if observation is None:
        return ()
    listed = observation.extra.get("keywords")
    if isinstance(listed, list):
        return tuple(word for word in listed if isinstance(word, str) and word)
    return tuple(word.strip() for word in (observation.value_text or "").split(";")
                 if word.strip())


def _summary_source(observation: Observation) -> str:
    source = "Hugging Face" if observation.source == HF_DAILY else observation.source
    model = observation.extra.get("model")
    return f"{source} (machine-written by {model})" if isinstance(model, str) and model \
        else f"{source} (machine-written)"
