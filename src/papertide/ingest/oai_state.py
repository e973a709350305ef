"""Where an OAI-PMH harvest stands, kept in the store's meta table.

Two keys per (set, metadata format):

- ``ingest.oai.harvest.SET.FORMAT``: the unfinished harvest (its dates, the
  resumption token to continue with, pages and records so far), written in the
  same transaction as each page's records, so it never runs ahead of them or
  lags behind; empty when no harvest is under way;
- ``ingest.oai.harvested.SET.FORMAT``: the latest datestamp of a finished
  harvest, where the next incremental one starts ``from`` (``from`` is
  inclusive and datestamps are days, so that day is fetched again: harmless).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from papertide.sources.arxiv_oai import OaiPage
from papertide.store.base import Store

HARVEST_PREFIX = "ingest.oai.harvest."
HARVESTED_PREFIX = "ingest.oai.harvested."
ALL_SETS = "*"


@dataclass(frozen=True, slots=True)
class Harvest:
    """An OAI-PMH harvest in progress; ``token`` None means the first page is next."""

    set_spec: str | None
    metadata_format: str
    from_date: dt.date | None
    until_date: dt.date | None
    started_at: dt.datetime
    token: str | None = None
    pages: int = 0
    records: int = 0
    complete_list_size: int | None = None
    latest_datestamp: dt.date | None = None
    restarts: int = 0

    def after(self, page: OaiPage, records: int) -> Harvest:
        """The state once ``page`` is stored."""
        latest = max(filter(None, (self.latest_datestamp, page.latest_datestamp)), default=None)
        return replace(
            self,
            token=page.token.value if page.token else None,
            pages=self.pages + 1,
            records=self.records + records,
            complete_list_size=(page.token.complete_list_size if page.token
                                and page.token.complete_list_size else self.complete_list_size),
            latest_datestamp=latest,
        )

    def same_request(self, from_date: dt.date | None, until_date: dt.date | None) -> bool:
        return (self.from_date, self.until_date) == (from_date, until_date)

    def to_json(self) -> str:
        values: dict[str, Any] = asdict(self)
        for name in ("from_date", "until_date", "started_at", "latest_datestamp"):
            if values[name] is not None:
                values[name] = values[name].isoformat()
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Harvest | None:
        try:
            values = json.loads(text)
            for name in ("from_date", "until_date", "latest_datestamp"):
                if values.get(name):
                    values[name] = dt.date.fromisoformat(values[name])
            values["started_at"] = dt.datetime.fromisoformat(values["started_at"])
            return cls(**values)
        except (ValueError, TypeError, KeyError):
            return None  # unreadable state: start afresh rather than fail forever


def harvest_key(set_spec: str | None, metadata_format: str) -> str:
    return f"{HARVEST_PREFIX}{set_spec or ALL_SETS}.{metadata_format}"


def harvested_key(set_spec: str | None, metadata_format: str) -> str:
    return f"{HARVESTED_PREFIX}{set_spec or ALL_SETS}.{metadata_format}"


def load_harvest(store: Store, set_spec: str | None, metadata_format: str) -> Harvest | None:
    text = store.get_meta(harvest_key(set_spec, metadata_format))
    return Harvest.from_json(text) if text else None


def harvested_until(store: Store, set_spec: str | None, metadata_format: str) -> dt.date | None:
    text = store.get_meta(harvested_key(set_spec, metadata_format))
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
