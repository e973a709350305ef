"""Builders for the accounts, trending and topics tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papertide.app import Papertide
from tests.helpers import FIXED_NOW, open_test_app


class MovableClock:
    """A clock the test moves by hand (link expiry, decay with age)."""

    def __init__(self, moment: dt.datetime = FIXED_NOW) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


def open_community_app(data_dir: Path, clock: MovableClock | None = None,
                       **environ: str) -> Papertide:
    """A service whose sign-in mail goes nowhere unless SMTP settings are given."""
    environ.setdefault("topics_refresh_minutes", "0")
    return open_test_app(data_dir, clock=clock or MovableClock(), **environ)
