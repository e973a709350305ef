"""Recorded HF front-page snapshots become sightings: the position at the snapshot's time."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertide.exceptions import RecordError
from papertide.sources.hf_front_page import read_snapshots, snapshot_observations
from tests.helpers import DATA_DIR, FIXED_NOW, utc

SNAPSHOTS = DATA_DIR / "hf_front_page_snapshots3.jsonl"


def test_each_paper_on_a_snapshot_is_seen_at_its_position_and_time() -> None:
    first, second, third = read_snapshots(SNAPSHOTS, FIXED_NOW)

    assert [(o.arxiv_id, o.value_number) for o in first[:3]] == [
        ("2504.20438", 1), ("2505.01079", 2), ("2505.00023", 3)]
    assert {o.observed_at for o in first} == {utc(2025, 5, 5, 9, 26).replace(second=19)}
    assert {o.signal for o in second + third} == {"hfFrontPage"}
    assert len(first) == 6 and len(second) == len(third) == 8


def test_ids_that_are_not_arxiv_ids_and_repeats_are_left_out() -> None:
    line = ('{"commit": "x", "committed_at": "2025-05-05T09:26:19+00:00", '
            '"paper_ids_in_page_order": [null, "2504.20438v2", "not-an-id", "2504.20438", 7,'
            ' "2505.01079"]}')

    sightings = snapshot_observations(line, FIXED_NOW)

    assert [(o.arxiv_id, o.value_number) for o in sightings] == [
        ("2504.20438", 2), ("2505.01079", 6)]


@pytest.mark.parametrize(("line", "reason"), [
    ("{", "not JSON"),
    ('["2504.20438"]', "paper_ids_in_page_order"),
    ('{"paper_ids_in_page_order": ["2504.20438"]}', "committed_at"),
    ('{"committed_at": "2999-01-01T00:00:00Z", "paper_ids_in_page_order": []}', "future"),
])
def test_a_bad_snapshot_says_what_is_wrong(line: str, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        snapshot_observations(line, FIXED_NOW)


def test_a_bad_line_in_a_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "snapshots.jsonl"
    path.write_text(SNAPSHOTS.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")

    with pytest.raises(RecordError, match=r"snapshots.jsonl:4: not JSON"):
        list(read_snapshots(path, FIXED_NOW))
