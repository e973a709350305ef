"""Telling apart several people who share a name, by whom they write with.

Papers whose authors carry exactly one name are grouped: two papers are one
person's when they share a co-author (transitively). Each group is offered
with its most frequent co-authors, so a reader can follow the one they mean.
Pure: papers in, groups out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from papertide.follows.names import author_key
from papertide.models import Paper

SHOWN_COAUTHORS = 4


@dataclass(frozen=True, slots=True)
class AuthorIdentity:
    """One person behind a name: their papers here and who they write with."""

    name: str
    papers: tuple[Paper, ...]
    coauthors: tuple[str, ...]
    coauthor_keys: tuple[str, ...]


def identities(name: str, papers: Sequence[Paper]) -> list[AuthorIdentity]:
    """The groups of ``papers`` written by ``name``, the largest first."""
    key = author_key(name)
    own = [paper for paper in papers if key in {author_key(a) for a in paper.authors}]
    parent = list(range(len(own)))

    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    first_with: dict[str, int] = {}
    for position, paper in enumerate(own):
        for coauthor in {author_key(a) for a in paper.authors} - {key}:
            if coauthor in first_with:
                parent[root(position)] = root(first_with[coauthor])
            else:
                first_with[coauthor] = position
    groups: dict[int, list[Paper]] = {}
    for position, paper in enumerate(own):
        groups.setdefault(root(position), []).append(paper)
    found = []
    for members in groups.values():
        counts: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for paper in members:
            for author in paper.authors:
                other = author_key(author)
                if other != key:
                    counts[other] += 1
                    shown.setdefault(other, author)
        ranked = [other for other, _ in counts.most_common()]
        display = next((a for paper in members for a in paper.authors if author_key(a) == key),
                       name)
        found.append(AuthorIdentity(display, tuple(members),
                                    tuple(shown[other] for other in ranked[:SHOWN_COAUTHORS]),
                                    tuple(ranked)))
    return sorted(found, key=lambda identity: (-len(identity.papers), identity.name))
