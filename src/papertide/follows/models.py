"""Plain records of follows, watches and the events they report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from papertide.models import Paper

EventKind = Literal["version", "journal_ref", "doi", "code"]


@dataclass(frozen=True, slots=True)
class NewPaperEvent:
    """Something that happened to a paper, before it is stored.

    ``key`` is unique per paper ("version:3", "doi", "code"), so seeing the same
    version again, from any source, stores nothing new.
    """

    arxiv_id: str
    kind: EventKind
    key: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaperEvent:
    """A stored event, with the id that deliveries refer to."""

    id: int
    arxiv_id: str
    kind: EventKind
    key: str
    detail: dict[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuthorFollow:
    """One reader following one author.

    ``author_key`` is the normalised name (see ``follows.names``). ``coauthors``
    (normalised too) say which of several same-named people is meant: when the
    name was ambiguous as the reader followed it, a paper matches only if it
    shares one of them.
    """

    author_key: str
    display_name: str
    coauthors: tuple[str, ...]
    ambiguous: bool
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class WatchedUpdate:
    """An event on a paper a reader watches, as the reader sees it."""

    event: PaperEvent
    paper: Paper


@dataclass(frozen=True, slots=True)
class FollowedPaper:
    """A new paper by someone a reader follows, with whom."""

    paper: Paper
    authors: tuple[str, ...]
