"""Recorded snapshots of the Hugging Face papers front page, as sightings.

One JSON object a line: ``{commit, committed_at, paper_ids_in_page_order}``
(a scraped history of the page's order). Each paper on a snapshot becomes
one observation ``hfFrontPage`` at the snapshot's time whose value is its
position (1 = top): a real, time-stamped popularity signal — the order HF
showed, not an upvote count, and labelled as such wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from papertide.arxiv_ids import normalise_arxiv_id
from papertide.exceptions import InvalidPaperIdError, RecordError
from papertide.models import Observation
from papertide.sources.fields import parse_timestamp
from papertide.sources.files import open_bytes

SOURCE_NAME = "hf-front-page"
SIGNAL_FRONT_PAGE = "hfFrontPage"


def snapshot_observations(line: str, now: dt.datetime) -> list[Observation]:
    """The sightings of one snapshot line (ids that are not arXiv ids are left out)."""
    try:
        row = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as error:
        raise RecordError(f"not JSON ({error})") from None
    if not isinstance(row, dict) or not isinstance(row.get("paper_ids_in_page_order"), list):
        raise RecordError("expected an object with 'paper_ids_in_page_order'")
    taken = parse_timestamp(row.get("committed_at"), "committed_at", now)
    if taken is None:
        raise RecordError("missing 'committed_at' (when the snapshot was taken)")
    sightings: list[Observation] = []
    seen: set[str] = set()
    for position, value in enumerate(row["paper_ids_in_page_order"], start=1):
        if not isinstance(value, str):
            continue
        try:
            arxiv_id = normalise_arxiv_id(value)
        except InvalidPaperIdError:
            continue
        if arxiv_id not in seen:
            seen.add(arxiv_id)
            sightings.append(Observation(arxiv_id, SOURCE_NAME, SIGNAL_FRONT_PAGE, taken,
                                         value_number=float(position)))
    return sightings


def read_snapshots(path: Path, now: dt.datetime) -> Iterator[list[Observation]]:
    """The sightings of every snapshot in a JSONL(.gz) file, one list per snapshot."""
    with open_bytes(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                yield snapshot_observations(raw.decode("utf-8"), now)
            except (RecordError, UnicodeDecodeError) as error:
                raise RecordError(f"{path.name}:{number}: {error}") from None
