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
        self.keys: list[tuple[str, ...]] = []
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for paper in papers:
            position = len(self.papers)
            keys = tuple(author_key(name) for name in paper.authors)
            self.papers.append(paper)
            self.keys.append(keys)
            for key in dict.fromkeys(keys):
                self.by_key[key].append(position)

    def followed_papers(self, follows: Sequence[AuthorFollow]) -> list[FollowedPaper]:
        """Papers by any of ``follows``, newest first, each naming whom it is by."""
        found: dict[int, list[str]] = {}
        for follow in follows:
            for position in self._matches(follow):
                names = found.setdefault(position, [])
                if follow.display_name not in names:
                    names.append(follow.display_name)

        def newest_first(position: int) -> tuple[str, str]:
            paper = self.papers[position]
            return (paper.announced_date.isoformat() if paper.announced_date else "",
                    paper.arxiv_id)

        return [FollowedPaper(self.papers[position], tuple(found[position]))
                for position in sorted(found, key=newest_first, reverse=True)]

    def _matches(self, follow: AuthorFollow) -> set[int]:
        context = set(follow.coauthors)
        shared = {position for coauthor in context for position in self.by_key.get(coauthor, ())}
        matches = {position for position in self.by_key.get(follow.author_key, ())
                   if not follow.ambiguous or position in shared}
        for position in shared - matches:
            if any(names_match(follow.author_key, key, context_shared=True)
                   for key in self.keys[position]):
                matches.add(position)
        return matches
