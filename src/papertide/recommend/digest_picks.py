"""Personal picks for digests: each subscriber with an account gets their recommendations.

The digest composer drops papers a subscriber was mailed before, so more
picks are offered than a section shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from papertide.digest.models import DigestPeriod
from papertide.recommend.service import Recommender
from papertide.subscriptions.models import Subscriber

OFFERED = 40


class RecommendedPicks:
    def __init__(self, recommender: Recommender) -> None:
        self.recommender = recommender

    def picks(self, subscribers: Sequence[Subscriber], readers: Mapping[int, int],
              period: DigestPeriod) -> Mapping[int, Sequence[str]]:
        """Picks per subscriber id, for those who want them and have an account
        (``readers`` maps a subscriber id to its reader's user id)."""
        found: dict[int, Sequence[str]] = {}
        for subscriber in subscribers:
            user_id = readers.get(subscriber.id)
            if not subscriber.preferences.personal_picks or user_id is None:
                continue
            picks = self.recommender.picks_between(user_id, period.first_day, period.last_day,
                                                   OFFERED)
            if picks:
                found[subscriber.id] = picks
        return found
