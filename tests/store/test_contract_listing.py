"""Store contract: listings by announced date, change order, full scans."""

from __future__ import annotations

import datetime as dt

from papertide.store.base import Store
from tests.helpers import FIXED_NOW, make_record, utc

MON, TUE, WED, THU, FRI = (dt.date(2025, 1, day) for day in range(6, 11))


def _seed_days(store: Store) -> None:
    """Three papers on Monday, two on Wednesday, four on Friday; none Tue/Thu."""
    records = [
        *(make_record(f"2501.0010{n}", announced=MON, submitted_at=utc(2025, 1, 3, n))
          for n in range(3)),
        *(make_record(f"2501.0030{n}", announced=WED, submitted_at=utc(2025, 1, 7, n))
          for n in range(2)),
        *(make_record(f"2501.0050{n}", announced=FRI, submitted_at=utc(2025, 1, 9, n))
          for n in range(4)),
    ]
    store.upsert_papers(records, FIXED_NOW)


def test_listing_is_newest_day_first_with_totals(store: Store) -> None:
    _seed_days(store)

    page = store.list_announced(MON, FRI + dt.timedelta(days=1), limit=100)

    days = [paper.announced_date for paper in page.papers]
    assert days == [FRI] * 4 + [WED] * 2 + [MON] * 3
    assert page.total == 9
    assert not page.has_more


def test_listing_range_is_half_open(store: Store) -> None:
    _seed_days(store)

    page = store.list_announced(MON, FRI, limit=100)

    assert {paper.announced_date for paper in page.papers} == {MON, WED}
    assert page.total == 5
    assert store.list_announced(TUE, WED, limit=10).total == 0


def test_listing_pages_cover_the_range_without_overlap(store: Store) -> None:
    _seed_days(store)
    end = FRI + dt.timedelta(days=1)
    everything = [paper.arxiv_id for paper in store.list_announced(MON, end, 100).papers]

    pages = [store.list_announced(MON, end, limit=4, offset=offset) for offset in (0, 4, 8)]

    assert [len(page.papers) for page in pages] == [4, 4, 1]
    assert [paper.arxiv_id for page in pages for paper in page.papers] == everything
    assert all(page.total == 9 for page in pages)
    assert [page.has_more for page in pages] == [True, True, False]
    assert store.list_announced(MON, end, limit=4, offset=12).papers == ()


def test_papers_without_an_announced_date_are_not_listed(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001", announced=None)], FIXED_NOW)
    assert store.list_announced(dt.date(1991, 1, 1), dt.date(2999, 1, 1), 10).total == 0
    assert store.latest_announced_date() is None


def test_latest_announced_date(store: Store) -> None:
    assert store.latest_announced_date() is None
    _seed_days(store)
    assert store.latest_announced_date() == FRI


def test_adjacent_day_skips_days_without_papers(store: Store) -> None:
    _seed_days(store)

    assert store.adjacent_announced_date(MON, later=True) == WED
    assert store.adjacent_announced_date(WED, later=True) == FRI
    assert store.adjacent_announced_date(FRI, later=False) == WED
    assert store.adjacent_announced_date(THU, later=False) == WED
    assert store.adjacent_announced_date(TUE, later=True) == WED
    assert store.adjacent_announced_date(MON, later=False) is None
    assert store.adjacent_announced_date(FRI, later=True) is None


def test_papers_changed_since_follow_the_order_of_changes(store: Store) -> None:
    for arxiv_id in ("2501.00003", "2501.00001", "2501.00002"):
        store.upsert_papers([make_record(arxiv_id, version_count=1)], FIXED_NOW)
    store.upsert_papers([make_record("2501.00003", "Revised", version_count=2)], FIXED_NOW)

    changed = store.papers_changed_since(0, limit=100)

    assert [paper.arxiv_id for paper in changed] == ["2501.00001", "2501.00002", "2501.00003"]
    sequence = [paper.change_seq for paper in changed]
    assert sequence == sorted(sequence)
    assert len(set(sequence)) == 3
    assert store.max_change_seq() == sequence[-1]


def test_papers_changed_since_honours_limit_and_start(store: Store) -> None:
    for number in range(1, 6):
        store.upsert_papers([make_record(f"2501.0000{number}")], FIXED_NOW)

    first_two = store.papers_changed_since(0, limit=2)
    rest = store.papers_changed_since(first_two[-1].change_seq, limit=100)

    assert [paper.arxiv_id for paper in first_two] == ["2501.00001", "2501.00002"]
    assert [paper.arxiv_id for paper in rest] == ["2501.00003", "2501.00004", "2501.00005"]
    assert store.papers_changed_since(store.max_change_seq(), limit=10) == []


def test_an_unchanged_paper_keeps_its_place_in_the_change_order(store: Store) -> None:
    store.upsert_papers([make_record("2501.00001"), make_record("2501.00002")], FIXED_NOW)
    seq = store.max_change_seq()
    store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
    assert store.papers_changed_since(seq, limit=10) == []


def test_iter_all_papers_yields_each_paper_once(store: Store) -> None:
    ids = [f"2501.{number:05d}" for number in range(1, 24)]
    store.upsert_papers([make_record(arxiv_id) for arxiv_id in ids], FIXED_NOW)
    # Updates move papers to the end of the change order; they must not repeat.
    store.upsert_papers([make_record(arxiv_id, version_count=2) for arxiv_id in ids[:5]],
                        FIXED_NOW)

    seen = [paper.arxiv_id for paper in store.iter_all_papers(batch_size=4)]

    assert sorted(seen) == ids
    assert len(seen) == len(ids)


def test_iter_all_papers_on_an_empty_store(store: Store) -> None:
    assert list(store.iter_all_papers()) == []
