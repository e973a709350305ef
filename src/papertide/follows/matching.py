"""Which papers are by the authors a reader follows: pure, data in, matches out.

Built once over a set of papers (an issue's new papers), then asked once per
reader: an exact name is a dictionary look-up, and the initialled variants of
a name are looked for only among the papers of the followed person's known
co-authors, so a digest for 10,000 readers does not scan the papers 10,000 times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from papertide.follows.models import AuthorFollow, FollowedPaper
from papertide.follows.names import author_key, names_match
from papertide.models import Paper


class AuthorIndex:
    """Papers by the normalised name of each of their authors."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        self.papers: list[Paper] = []
        self.keys: list[frozenset[str]] = []
        self.by_key: dict[str, list[int]] = defaultdict(list)
        # (surname, first letter of the first given name) -> the keys of that shape and
        # their papers: where an initialled form of a followed name can hide.
        self.by_shape: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
            lambda: defaultdict(list))
        self.newest_first: list[tuple[str, str]] = []
        self._variants: dict[str, list[str]] = {}
        for paper in papers:
            position = len(self.papers)
            keys = frozenset(author_key(name) for name in paper.authors)
            self.papers.append(paper)
            self.keys.append(keys)
            self.newest_first.append((
                paper.announced_date.isoformat() if paper.announced_date else "",
                paper.arxiv_id))
            for key in keys:
                self.by_key[key].append(position)
                shape = _shape(key)
                if shape is not None:
                    self.by_shape[shape][key].append(position)

    def followed_papers(self, follows: Sequence[AuthorFollow]) -> list[FollowedPaper]:
        """Papers by any of ``follows``, newest first, each naming whom it is by."""
        found: dict[int, list[str]] = {}
        for follow in follows:
            for position in self._matches(follow):
                names = found.setdefault(position, [])
                if follow.display_name not in names:
                    names.append(follow.display_name)
        return [FollowedPaper(self.papers[position], tuple(found[position]))
                for position in sorted(found, key=self.newest_first.__getitem__, reverse=True)]

    def _matches(self, follow: AuthorFollow) -> set[int]:
        context = frozenset(follow.coauthors)
        matches = {position for position in self.by_key.get(follow.author_key, ())
                   if not follow.ambiguous or not context.isdisjoint(self.keys[position])}
        if not context:
            return matches
        for key in self._initialled_forms(follow.author_key):
            matches.update(position for position in self.by_key[key]
                           if not context.isdisjoint(self.keys[position]))
        return matches

    def _initialled_forms(self, followed: str) -> list[str]:
        """Other keys here that may be ``followed`` written with initials (asked once per
        name, however many readers follow it)."""
        known = self._variants.get(followed)
        if known is None:
            shape = _shape(followed)
            candidates = self.by_shape.get(shape, {}) if shape is not None else {}
            known = self._variants[followed] = [
                key for key in candidates
                if key != followed and names_match(followed, key, context_shared=True)]
        return known


def _shape(key: str) -> tuple[str, str] | None:
    words = key.split()
    return (words[-1], words[0][0]) if len(words) >= 2 else None
