"""Which scheduled run is due: the latest slot of a schedule, and its job key.

A scheduled job is queued under the key ``<job>@<slot time>``; the key is
unique, so however many workers see the slot come, it is queued once, and a
worker that was down catches up with the latest slot only (like anacron).
Pure functions: ``now`` is passed in.
"""

from __future__ import annotations

import datetime as dt

from papertide.cron import CronSchedule

# How far back a slot still counts as due: a worker down longer catches up with
# the newest slot in this window, or waits for the next one.
LOOK_BACK = dt.timedelta(days=8)


def latest_slot(schedule: CronSchedule, now: dt.datetime) -> dt.datetime | None:
    """The last scheduled time at or before ``now`` within the look-back, in UTC."""
    return schedule.latest_at_or_before(now, LOOK_BACK)


def slot_key(name: str, slot: dt.datetime) -> str:
    """``arxiv-rss@2026-09-24T04:30Z``: the same for every worker computing it."""
    return f"{name}@{slot.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"
