"""The pure fusion functions: weighted scores and reciprocal rank fusion."""

from __future__ import annotations

import math

from papertide.search.hybrid import (
    adaptive_fusion,
    keyword_evidence,
    known_items,
    reciprocal_rank_fusion,
    weighted_fusion,
)


def ids(fused: list) -> list[str]:  # type: ignore[type-arg]
    return [item.arxiv_id for item in fused]


def test_weight_one_is_the_keyword_ranking_and_zero_the_semantic_one() -> None:
    keyword = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    semantic = {"c": 0.9, "b": 0.5, "a": 0.1, "d": 0.7}
    assert ids(weighted_fusion(keyword, semantic, 1.0))[:3] == ["a", "b", "c"]
    assert ids(weighted_fusion(keyword, semantic, 0.0)) == ["c", "d", "b", "a"]


def test_a_paper_found_by_both_sides_beats_one_found_by_either_alone() -> None:
    keyword = [("only-keyword", 10.0), ("both", 9.0)]
    semantic = {"only-meaning": 0.80, "both": 0.78}
    assert ids(weighted_fusion(keyword, semantic, 0.3))[0] == "both"


def test_fused_scores_do_not_depend_on_how_deep_the_lists_were_read() -> None:
    keyword = [("a", 8.0), ("b", 6.0), ("c", 3.0), ("d", 2.0)]
    semantic = {"a": 0.5, "b": 0.7, "c": 0.6, "d": 0.2}
    deep = {item.arxiv_id: item.score for item in weighted_fusion(keyword, semantic)}
    shallow = {item.arxiv_id: item.score
               for item in weighted_fusion(keyword[:2], {k: semantic[k] for k in "ab"})}
    assert shallow == {key: deep[key] for key in shallow}


def test_empty_inputs_give_an_empty_ranking() -> None:
    assert weighted_fusion([], {}) == []
    assert reciprocal_rank_fusion([[], []]) == []


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert ids(fused)[0] == "b"
    assert set(ids(fused)) == {"a", "b", "c"}


def test_a_known_item_leads_whatever_meaning_prefers() -> None:
    keyword = [("neighbour", 40.0), ("remembered", 39.0)]
    semantic = {"remembered": 0.30, "neighbour": 0.45, "only-meaning": 0.50}
    assert ids(adaptive_fusion(keyword, semantic, evidence=1.0))[0] != "remembered"
    led = ids(adaptive_fusion(keyword, semantic, evidence=1.0, first=["remembered"]))
    assert led[0] == "remembered"
    assert sorted(led) == ["neighbour", "only-meaning", "remembered"]


def test_a_paper_titled_exactly_as_the_query_is_the_known_item() -> None:
    best = [("longer", "Delta Attention Residuals", ""), ("exact", "Attention  residuals.", ""),
            ("other", "Multi-Head Attention Residuals", "")]
    assert known_items("attention residuals", best) == ["exact"]
    assert known_items("Attention", [("one", "Attention", "")]) == [], "one word: no title match"
    assert known_items("residual attention", best) == []


def test_the_one_paper_holding_every_word_is_the_known_item() -> None:
    best = [("title-heavy", "Librarian agents", "A librarian that browses."),
            ("remembered", "FS-Researcher", "It browses as a librarian, anonymously, with"
                                            " DeepConsult.")]
    query = "browses librarian anonymously deepconsult"
    assert known_items(query, best) == ["remembered"]
    twice = [*best, ("copy", "Copy", "browses librarian anonymously deepconsult")]
    assert known_items(query, twice) == [], "two papers hold every word: meaning decides"
    assert known_items("browses librarian", best) == [], "two words say too little"
    # a word no paper holds (here a fragment of a link) does not count against a paper
    assert known_items(query + " ignoramus", best, frozenset({"ignoramus"})) == ["remembered"]
    assert known_items(query + " ignoramus", best) == []


def test_the_keyword_weight_rises_with_the_evidence() -> None:
    keyword = [("a", 10.0), ("b", 6.0)]
    semantic = {"a": 0.30, "b": 0.60}
    weak = {f.arxiv_id: f.score for f in adaptive_fusion(keyword, semantic, evidence=0.2)}
    middle = {f.arxiv_id: f.score for f in adaptive_fusion(keyword, semantic, evidence=0.75)}
    assert weak == {f.arxiv_id: f.score for f in weighted_fusion(keyword, semantic)}
    assert middle["a"] - middle["b"] > weak["a"] - weak["b"]


def test_evidence_is_high_when_rare_words_all_meet_in_one_paper() -> None:
    papers = 10_000
    best_per_word = math.log(1 + (papers - 0.5) / 1.5)
    assert keyword_evidence(5 * best_per_word, "five rare words typed here", papers) == 1.0
    assert keyword_evidence(3.0, "what causes the seasons on earth", papers) < 0.1
    assert keyword_evidence(0.0, "", papers) == 0.0
    assert keyword_evidence(5.0, "words", 0) == 0.0
