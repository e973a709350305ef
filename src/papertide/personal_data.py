"""Everything the site keeps about one person, as one JSON document they can download.

Read-only and plain: the account, its sessions (times only, never a secret),
the library with tags, upvotes, "not interested" marks, interest filters and
the digest subscription, each as stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from papertide.accounts.models import User
from papertide.store.base import Store

FORMAT_VERSION = 1


def personal_data(store: Store, user: User, now: dt.datetime) -> dict[str, Any]:
    """The person's data; ``now`` leaves expired sessions out."""
    saved_ids = store.saved_ids(user.id)
    saved = store.saved_by(user.id, saved_ids)
    filters = store.interest_filters(user.id)
    subscriber = store.subscriber_by_email(user.email)
    return {
        "format": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "account": {"email": user.email, "created_at": user.created_at.isoformat(),
                    "last_sign_in_at": _stamp(user.last_sign_in_at),
                    "is_admin": user.is_admin},
        "sessions": [{"created_at": session.created_at.isoformat(),
                      "last_seen_at": session.last_seen_at.isoformat(),
                      "expires_at": session.expires_at.isoformat()}
                     for session in store.sessions_of(user.id, now)],
        "library": [{"arxiv_id": entry.arxiv_id, "saved_at": entry.saved_at.isoformat(),
                     "tags": list(entry.tags)}
                    for entry in sorted(saved.values(), key=lambda entry: entry.saved_at)],
        "upvotes": store.voted_ids(user.id),
        "not_interested": store.not_interested_ids(user.id),
        "interest_filters": {"categories": list(filters.categories),
                             "include_words": list(filters.include_words),
                             "exclude_words": list(filters.exclude_words)},
        "digest_subscription": None if subscriber is None else {
            "status": subscriber.status,
            "created_at": subscriber.created_at.isoformat(),
            "confirmed_at": _stamp(subscriber.confirmed_at),
            "frequency": subscriber.preferences.frequency,
            "trending_count": subscriber.preferences.trending_count,
            "categories": list(subscriber.preferences.categories),
            "searches": list(subscriber.preferences.searches),
            "send_empty": subscriber.preferences.send_empty,
            "personal_picks": subscriber.preferences.personal_picks,
            "name": subscriber.preferences.name,
        },
        "followed_authors": [{"name": follow.display_name, "key": follow.author_key,
                              "coauthors": list(follow.coauthors),
                              "followed_at": follow.created_at.isoformat()}
                             for follow in store.author_follows([user.id]).get(user.id, [])],
        "unwatched_papers": sorted(store.unwatched_among(user.id, saved_ids)),
        "private_feed": store.has_feed_token(user.id),
    }


def _stamp(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
