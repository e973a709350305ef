"""What a reader sees in their picks: their interests first, and why, and their own say."""

from __future__ import annotations

from papertide.app import Papertide
from tests.recommend.conftest import add_user
from tests.recommend.corpus import SPEECH_NEW, title_of

SPEECH_LIBRARY = ("2501.01001", "2501.01002", "2501.01003")


def save_all(service: Papertide, user_id: int, ids: tuple[str, ...]) -> None:
    for arxiv_id in ids:
        service.community.library.save(user_id, arxiv_id)


def picked(service: Papertide, user_id: int) -> list[str]:
    return [pick.paper.arxiv_id for pick in service.recommendations.for_user(user_id).picks]


def test_a_speech_library_gets_the_new_speech_papers_first(service: Papertide) -> None:
    reader = add_user(service)
    save_all(service, reader, SPEECH_LIBRARY)
    picks = picked(service, reader)
    assert set(picks[:4]) == SPEECH_NEW
    assert not set(picks) & set(SPEECH_LIBRARY), "papers already saved are not picked again"


def test_picks_name_the_library_papers_they_are_close_to_and_only_those(
    service: Papertide,
) -> None:
    reader = add_user(service)
    save_all(service, reader, SPEECH_LIBRARY)
    service.community.library.upvote(reader, "2501.02001")
    found = service.recommendations.for_user(reader)
    assert found.picks and found.profile_size == 4
    by_id = {pick.paper.arxiv_id: pick for pick in found.picks}
    for arxiv_id in SPEECH_NEW:
        [library] = [reason for reason in by_id[arxiv_id].reasons if reason.kind == "library"]
        assert 1 <= len(library.papers) <= 2
        for named in library.papers:
            assert named.arxiv_id in SPEECH_LIBRARY
            assert named.title == title_of(named.arxiv_id)
            assert f"“{named.title}”" in by_id[arxiv_id].explanation
    black_hole_pick = by_id["2503.12002"]
    assert "2501.02001" in {named.arxiv_id for reason in black_hole_pick.reasons
                            for named in reason.papers}
    # Bread and freight trains are close to nothing in the library: no "close to" claim.
    for unrelated in ("2503.14001", "2503.14002"):
        reasons = by_id[unrelated].reasons
        assert [reason.kind for reason in reasons] == ["interest"]
        assert "close to" not in by_id[unrelated].explanation


def test_not_interested_hides_the_paper_and_pulls_its_twin_down(service: Papertide) -> None:
    reader = add_user(service)
    save_all(service, reader, SPEECH_LIBRARY)
    before = picked(service, reader)
    twin_rank_before = before.index("2503.11004")
    service.recommendations.mark_not_interested(reader, "2503.11003")
    after = picked(service, reader)
    assert "2503.11003" not in after
    assert after.index("2503.11004") > twin_rank_before, \
        "the near-identical benchmark paper ranks lower once its twin was refused"
    assert after[0] in SPEECH_NEW - {"2503.11003", "2503.11004"}
    service.recommendations.unmark_not_interested(reader, "2503.11003")
    assert "2503.11003" in picked(service, reader)


def test_include_and_exclude_words_filter_the_picks(service: Papertide) -> None:
    reader = add_user(service)
    save_all(service, reader, SPEECH_LIBRARY)
    recommender = service.recommendations
    recommender.set_filters(reader, "", "", "benchmark")
    picks = picked(service, reader)
    assert picks and not {"2503.11003", "2503.11004"} & set(picks)
    assert {"2503.11001", "2503.11002"} <= set(picks[:2])

    recommender.set_filters(reader, "", "protein, black hole", "")
    found = recommender.for_user(reader).picks
    assert {pick.paper.arxiv_id for pick in found} == {
        "2503.12001", "2503.12002", "2503.13001", "2503.13002"}
    assert all(any(reason.kind == "words" for reason in pick.reasons) for pick in found)


def test_following_a_category_alone_gives_picks_with_that_reason(service: Papertide) -> None:
    reader = add_user(service)
    assert service.recommendations.for_user(reader).picks == ()
    assert "Save or upvote" in (service.recommendations.for_user(reader).notice or "")
    service.recommendations.set_filters(reader, "gr-qc", "", "")
    found = service.recommendations.for_user(reader).picks
    assert [pick.paper.arxiv_id for pick in found] == ["2503.12001"]
    assert found[0].explanation == "in gr-qc, which you follow"


def test_a_followed_category_lifts_its_papers_above_the_library_topic(
    service: Papertide,
) -> None:
    reader = add_user(service)
    save_all(service, reader, SPEECH_LIBRARY)
    protein = ["2503.13001", "2503.13002"]
    before = picked(service, reader)
    service.recommendations.set_filters(reader, "q-bio.BM", "", "")
    after = picked(service, reader)
    for arxiv_id in protein:
        assert after.index(arxiv_id) < before.index(arxiv_id)
    others = [arxiv_id for arxiv_id in after if arxiv_id not in SPEECH_NEW | set(protein)]
    assert max(after.index(arxiv_id) for arxiv_id in protein) < min(
        after.index(arxiv_id) for arxiv_id in others)
    assert after[0] in SPEECH_NEW | set(protein)


def test_picks_follow_the_library_as_it_changes(service: Papertide) -> None:
    reader = add_user(service)
    save_all(service, reader, ("2501.03001", "2501.03002"))
    first = picked(service, reader)
    assert set(first[:2]) == {"2503.13001", "2503.13002"}
    assert picked(service, reader) == first  # served again from the cache, unchanged
    for arxiv_id in ("2501.03001", "2501.03002"):
        service.community.library.unsave(reader, arxiv_id)
    save_all(service, reader, ("2501.02001", "2501.02002"))
    assert set(picked(service, reader)[:2]) == {"2503.12001", "2503.12002"}
