"""arXiv's announcement calendar, for sources that only know submit times.

arXiv takes submissions until 14:00 US Eastern on weekdays and mails the
listing at 20:00 Eastern, Sunday to Thursday; the RSS feed dated the next day
carries it. papertide's *announced date* follows the RSS: the date of the
feed a paper first appears in. Holidays are not modelled, so a date computed
here is marked as an estimate and a real listing date wins over it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ARXIV_TIMEZONE = ZoneInfo("America/New_York")
SUBMISSION_CUTOFF = dt.time(14, 0)


def estimated_announce_date(submitted: dt.datetime) -> dt.date:
    """The RSS date on which a submission made at ``submitted`` would appear."""
    if submitted.tzinfo is None:
        submitted = submitted.replace(tzinfo=dt.UTC)
    local = submitted.astimezone(ARXIV_TIMEZONE)
    cutoff_day = local.date()
    if local.time() >= SUBMISSION_CUTOFF:
        cutoff_day += dt.timedelta(days=1)
    while cutoff_day.weekday() >= 5:  # Saturday, Sunday: no cutoff
        cutoff_day += dt.timedelta(days=1)
    if cutoff_day.weekday() == 4:  # Friday's batch is mailed on Sunday, in Monday's feed
        return cutoff_day + dt.timedelta(days=3)
    return cutoff_day + dt.timedelta(days=1)
