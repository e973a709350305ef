"""A PostgreSQL web host's own record of its vector labels: replaced labels, lookups
both ways, and a damaged file started again (its replica is then rebuilt)."""

from __future__ import annotations

from pathlib import Path

from papertide.search.label_map import FILE_NAME, LabelMap


def test_a_papers_new_label_replaces_its_old_one_and_lookups_go_both_ways(
    tmp_path: Path,
) -> None:
    labels = LabelMap(tmp_path)
    try:
        assert labels.created
        labels.put([(1, "2501.00001"), (2, "2501.00002"), (3, "2501.00003")])
        labels.put([(7, "2501.00002")])  # re-embedded under a new label

        assert labels.labels_of(["2501.00002", "2501.00003", "2501.09999"]) == \
            {"2501.00002": 7, "2501.00003": 3}
        assert labels.arxiv_ids_of([2, 7, 1]) == {7: "2501.00002", 1: "2501.00001"}
        assert labels.arxiv_ids_of(list(range(1, 1200))) == \
            {1: "2501.00001", 3: "2501.00003", 7: "2501.00002"}  # past one IN (...) chunk
    finally:
        labels.close()

    reopened = LabelMap(tmp_path)
    try:
        assert not reopened.created
        assert reopened.labels_of(["2501.00001"]) == {"2501.00001": 1}
        reopened.clear()
        assert reopened.arxiv_ids_of([1, 3, 7]) == {}
    finally:
        reopened.close()


def test_a_damaged_file_is_started_again_and_says_so(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"not a database at all " * 100)

    labels = LabelMap(tmp_path)
    try:
        assert labels.created  # so the host rebuilds its vector copy and fills it again
        labels.put([(4, "2501.00004")])
        assert labels.labels_of(["2501.00004"]) == {"2501.00004": 4}
    finally:
        labels.close()
