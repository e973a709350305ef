"""What recommendations are made of: a person's filters, picks and their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from papertide.models import Paper

ReasonKind = Literal["library", "interest", "category", "words", "author"]


@dataclass(frozen=True, slots=True)
class InterestFilters:
    """Per-person settings: categories followed, words a pick must (or must not) contain."""

    categories: tuple[str, ...] = ()
    include_words: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NamedPaper:
    arxiv_id: str
    title: str


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a pick; ``papers`` are the profile papers it names (linked).

    ``library`` names papers the pick is close to; ``interest`` is the reason
    of a pick close to none of them, only to the direction of (part of) the
    library, which ``interest`` labels when the library has several.
    """

    kind: ReasonKind
    papers: tuple[NamedPaper, ...] = ()
    category: str = ""
    word: str = ""
    interest: str = ""
    author: str = ""

    @property
    def text(self) -> str:
        if self.kind == "library":
            titles = " and ".join(f"“{paper.title}”" for paper in self.papers)
            return f"close to {titles} in your library"
        if self.kind == "interest":
            if self.interest:
                return f"leans towards your interest in “{self.interest}”"
            return "leans towards your library as a whole"
        if self.kind == "category":
            return f"in {self.category}, which you follow"
        if self.kind == "author":
            return f"by {self.author}, whom you follow"
        return f"mentions “{self.word}”, a word you asked for"


@dataclass(frozen=True, slots=True)
class Pick:
    """A recommended paper; ``interest`` labels the part of the library it serves
    (empty when the library is one interest)."""

    paper: Paper
    score: float
    reasons: tuple[Reason, ...] = field(default=())
    interest: str = ""

    @property
    def explanation(self) -> str:
        return "; ".join(reason.text for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class Recommendations:
    """A person's picks, best first, and a notice when there are none (why, what to do)."""

    picks: tuple[Pick, ...]
    profile_size: int
    window_days: int
    notice: str | None = None
    interests: tuple[str, ...] = ()  # labels, when the library splits into several
