"""Short names for the interests of a library, from its papers' titles.

The phrase most titles of an interest share names it ("speech recognition");
with no shared phrase, the title of the paper nearest the interest's middle
does. Pure functions only.
"""

from __future__ import annotations

from collections import Counter

from papertide.topics.phrases import phrases_with_surface

MAX_LABEL = 60
MIN_SHARED_TITLES = 2


def _shortened(title: str) -> str:
    if len(title) <= MAX_LABEL:
        return title
    return title[:MAX_LABEL].rsplit(" ", 1)[0] + "…"


def interest_label(titles: list[str], taken: set[str]) -> str:
    """A name for an interest; ``titles`` start with its most central paper's."""
    in_titles: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for title in titles:
        seen: set[str] = set()
        for key, surface in phrases_with_surface(title):
            surfaces.setdefault(key, Counter())[surface] += 1
            if " " in key and key not in seen:
                seen.add(key)
                in_titles[key] += 1
    ranked = sorted(in_titles.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
    for key, count in ranked:
        if count < MIN_SHARED_TITLES:
            break
        label = surfaces[key].most_common(1)[0][0]
        if label.lower() not in taken:
            return label
    return _shortened(titles[0]) if titles else "your library"
