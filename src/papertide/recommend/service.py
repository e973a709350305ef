"""Recommendations for signed-in people: profiles, cached models, picks and why.

A profile is what a person saved, upvoted or imported (positives), what they
marked "not interested" (negatives), the categories they follow (here or in
their digest subscription) and their word filters. Its model and ranked list
are cached under a stamp of those inputs and of the window, so a page view
costs a few small queries; any change to the profile retrains on next use.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from papertide.arxiv_ids import parse_arxiv_id
from papertide.exceptions import InvalidInputError, NotFoundError
from papertide.follows.models import FollowedPaper
from papertide.models import Paper
from papertide.recommend.importer import ImportProgress, ImportReport, LibraryImporter
from papertide.recommend.interests import Interest, rank_interests, train_interests
from papertide.recommend.labels import interest_label
from papertide.recommend.library_files import read_library
from papertide.recommend.models import (
    InterestFilters,
    NamedPaper,
    Pick,
    Reason,
    Recommendations,
)
from papertide.recommend.ranker import Matrix, RankerParams, train
from papertide.recommend.window import Window
from papertide.search.base import KeywordIndex
from papertide.store.base import Store

RANKED_DEPTH = 200
CACHED_PROFILES = 2_000
CACHED_WINDOWS = 4
MAX_FILTER_WORDS = 20
CATEGORY_BONUS = 1.5  # standard deviations of the library score
SIMILARITY_FLOOR = 0.4  # cosine below which a pick is not called "close to" a paper
_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")


@dataclass(frozen=True, slots=True)
class _Ranked:
    picks: tuple[Pick, ...]
    profile_size: int
    notice: str | None
    interests: tuple[str, ...] = ()


class FollowedSource(Protocol):
    """New papers by the authors a person follows (``papertide.follows`` plugs in here)."""

    def followed_between(self, user_id: int, first_day: dt.date, last_day: dt.date
                         ) -> list[FollowedPaper]: ...


class Recommender:
    """Builds, caches and serves each person's recommendations."""

    def __init__(self, store: Store, keyword_index: KeywordIndex,
                 clock: Callable[[], dt.datetime], window_days: int,
                 model_name: Callable[[], str], params: RankerParams | None = None,
                 followed: FollowedSource | None = None) -> None:
        """``model_name`` is asked on each use, so the embedding model loads only when needed."""
        self.store = store
        self.keyword_index = keyword_index
        self.clock = clock
        self.model_name = model_name
        self.params = params or RankerParams()
        self.window_days = window_days
        self.followed = followed
        self._lock = threading.Lock()
        self._windows: OrderedDict[tuple[object, ...], Window] = OrderedDict()
        self._ranked: OrderedDict[tuple[object, ...], _Ranked] = OrderedDict()

    # -- reading ------------------------------------------------------------------------

    def for_user(self, user_id: int, limit: int = 30) -> Recommendations:
        """The person's picks from the latest ``recommend_window_days`` days, best first."""
        latest = self.store.latest_announced_date()
        if latest is None:
            return Recommendations((), 0, self.window_days, "There are no papers yet.")
        end = latest + dt.timedelta(days=1)
        start = end - dt.timedelta(days=self.window_days)
        ranked = self._ranked_for(user_id, start, end)
        picks = ranked.picks
        if self.followed is not None:
            followed = self.followed.followed_between(user_id, start, latest)
            hidden = set(self.store.not_interested_ids(user_id)) if followed else set()
            picks = with_followed(picks, [item for item in followed
                                          if item.paper.arxiv_id not in hidden])
        notice = ranked.notice if not picks else None
        return Recommendations(picks[:max(limit, 0)], ranked.profile_size,
                               self.window_days, notice, ranked.interests)

    def picks_between(self, user_id: int, first_day: dt.date, last_day: dt.date,
                      limit: int) -> list[str]:
        """Recommended papers announced ``first_day``..``last_day`` (the digest's window)."""
        ranked = self._ranked_for(user_id, first_day, last_day + dt.timedelta(days=1))
        return [pick.paper.arxiv_id for pick in ranked.picks[:limit]]

    def _ranked_for(self, user_id: int, start: dt.date, end: dt.date) -> _Ranked:
        model = self.model_name()
        window_key = (start, end, model, self.store.max_vector_seq(), self.store.max_change_seq())
        key = (user_id, self.store.profile_stamp(user_id), *window_key)
        with self._lock:
            cached = self._ranked.get(key)
            if cached is not None:
                self._ranked.move_to_end(key)
                return cached
        ranked = self._rank(user_id, self._window(window_key, model, start, end), model)
        with self._lock:
            self._ranked[key] = ranked
            while len(self._ranked) > CACHED_PROFILES:
                self._ranked.popitem(last=False)
        return ranked

    def _window(self, key: tuple[object, ...], model: str, start: dt.date,
                end: dt.date) -> Window:
        with self._lock:
            window = self._windows.get(key)
        if window is None:
            window = Window.load(self.store, model, start, end, self.params)
            with self._lock:
                self._windows[key] = window
                while len(self._windows) > CACHED_WINDOWS:
                    self._windows.popitem(last=False)
        return window

    def followed_categories(self, user_id: int, filters: InterestFilters) -> tuple[str, ...]:
        """Categories followed here, plus those of the person's digest subscription."""
        user = self.store.get_user(user_id)
        subscriber = self.store.subscriber_by_email(user.email) if user else None
        extra = subscriber.preferences.categories if subscriber else ()
        return tuple(dict.fromkeys(filters.categories + tuple(extra)))

    def _rank(self, user_id: int, window: Window, model: str) -> _Ranked:
        store = self.store
        disliked = store.not_interested_ids(user_id)
        liked = [key for key in dict.fromkeys(store.saved_ids(user_id) + store.voted_ids(user_id))
                 if key not in set(disliked)]
        filters = store.interest_filters(user_id)
        categories = self.followed_categories(user_id, filters)
        if not liked and not categories:
            return _Ranked((), 0, "Save or upvote papers, import your library, follow "
                                  "categories or authors, and papers picked for you appear "
                                  "here.")
        vectors = store.vectors_for(liked + disliked, model)
        liked_ids = [key for key in liked if key in vectors]
        dimension = window.vectors.shape[1]
        positives = (np.stack([vectors[key] for key in liked_ids]) if liked_ids
                     else np.zeros((0, dimension), np.float32))
        negative_ids = [key for key in disliked if key in vectors]
        negatives = (np.stack([vectors[key] for key in negative_ids]) if negative_ids
                     else np.zeros((0, dimension), np.float32))
        if len(window.papers) == 0:
            return _Ranked((), len(liked), f"No paper of the last {self.window_days} days has "
                                           "been embedded yet; picks appear once they are.")
        if liked and not liked_ids and not categories:
            return _Ranked((), len(liked), "Your papers are still being embedded; picks "
                                           "appear once they are.")
        allowed = self._allowed(window, filters, set(liked) | set(disliked))
        in_followed = np.array([any(_in_category(paper.categories, wanted)
                                    for wanted in categories) for paper in window.papers])
        named = store.get_papers(liked_ids)
        labels: tuple[str, ...] = ()
        if liked_ids:
            interests = train_interests(positives, negatives, window.stream)
            if len(interests) > 1:
                labels = _interest_labels(interests, positives, liked_ids, named)
            ranked = rank_interests(window.vectors, interests, self.params, RANKED_DEPTH,
                                    allowed, CATEGORY_BONUS * in_followed.astype(np.float32),
                                    whole=train(positives, negatives, window.stream)
                                    if len(interests) > 1 else None)  # one: it is the whole
            rows = [(pick.row, pick.score, interests[pick.interest].members,
                     labels[pick.interest] if labels else "") for pick in ranked]
        else:  # categories only: newest first
            everything = tuple(range(len(liked_ids)))
            rows = [(row, 0.0, everything, "") for row in range(len(window.papers))
                    if allowed[row] and in_followed[row]][:RANKED_DEPTH]
        picks = tuple(
            Pick(window.papers[row], score,
                 self._reasons(window, row, positives[list(members)],
                               [liked_ids[i] for i in members], named, categories, filters,
                               label),
                 label)
            for row, score, members, label in rows)
        notice = None if picks else "Nothing in the last days matches your profile and filters."
        return _Ranked(picks, len(liked), notice, labels)

    def _allowed(self, window: Window, filters: InterestFilters,
                 profile_ids: set[str]) -> npt.NDArray[np.bool_]:
        include = [_word_pattern(word) for word in filters.include_words]
        exclude = [_word_pattern(word) for word in filters.exclude_words]
        return np.array([
            paper.arxiv_id not in profile_ids
            and (not include or any(pattern.search(text) for pattern in include))
            and not any(pattern.search(text) for pattern in exclude)
            for paper, text in zip(window.papers, window.texts, strict=True)], dtype=bool)

    def _reasons(self, window: Window, row: int, positives: Matrix,
                 liked_ids: list[str], named: Mapping[str, Paper],
                 categories: tuple[str, ...], filters: InterestFilters,
                 interest: str) -> tuple[Reason, ...]:
        """Why a pick: the library papers it is close to (above ``SIMILARITY_FLOOR``
        only), else the interest it leans towards; followed categories; asked-for words."""
        reasons: list[Reason] = []
        if len(liked_ids):
            similarities = positives @ window.vectors[row]
            nearest = [int(i) for i in np.argsort(-similarities)[:2]
                       if similarities[i] >= SIMILARITY_FLOOR]
            if nearest:
                reasons.append(Reason("library", tuple(
                    NamedPaper(liked_ids[i], _title(named, liked_ids[i])) for i in nearest)))
            else:
                reasons.append(Reason("interest", interest=interest))
        paper = window.papers[row]
        reasons.extend(Reason("category", category=category) for category in categories
                       if _in_category(paper.categories, category))
        reasons.extend(Reason("words", word=word) for word in filters.include_words
                       if _word_pattern(word).search(window.texts[row]))
        return tuple(reasons)

    # -- changing -----------------------------------------------------------------------

    def mark_not_interested(self, user_id: int, arxiv_id: str) -> str:
        key = parse_arxiv_id(arxiv_id).base
        if self.store.get_paper(key) is None:
            raise NotFoundError(f"paper {key} is not in this papertide")
        self.store.mark_not_interested(user_id, key, self.clock())
        return key

    def just_hidden(self, user_id: int, arxiv_id: str) -> Paper | None:
        """The paper, if the person has marked it not interested (for the Undo notice)."""
        try:
            key = parse_arxiv_id(arxiv_id).base
        except InvalidInputError:
            return None
        if key not in set(self.store.not_interested_ids(user_id)):
            return None
        return self.store.get_paper(key)

    def unmark_not_interested(self, user_id: int, arxiv_id: str) -> str:
        key = parse_arxiv_id(arxiv_id).base
        self.store.unmark_not_interested(user_id, key)
        return key

    def filters(self, user_id: int) -> InterestFilters:
        return self.store.interest_filters(user_id)

    def set_filters(self, user_id: int, categories: str, include: str,
                    exclude: str) -> InterestFilters:
        """Save filters: categories separated by commas or spaces, words (or phrases) by commas."""
        chosen = _words(" ".join(categories.split()).replace(" ", ","))
        for category in chosen:
            if not _CATEGORY.match(category):
                raise InvalidInputError(f"{category[:40]!r} is not an arXiv category "
                                        "(like cs.CL or hep-th)")
        filters = InterestFilters(chosen, _words(include, lower=True),
                                  _words(exclude, lower=True))
        self.store.set_interest_filters(user_id, filters, self.clock())
        return filters

    def check_library(self, data: bytes, filename: str = "", pasted: bool = False) -> int:
        """How many entries the export (or pasted list) holds; InvalidInputError if it cannot
        be read (so a big upload is refused before its background import starts)."""
        return len(read_library(data, filename, pasted).entries)

    def import_library(self, user_id: int, data: bytes, filename: str = "",
                       pasted: bool = False, progress: ImportProgress | None = None
                       ) -> ImportReport:
        """Parse an export (or ``pasted`` ids, DOIs and titles) and save the papers found
        (raises InvalidInputError if unreadable)."""
        if progress is not None:
            progress("reading", 0, 0)
        parsed = read_library(data, filename, pasted)
        importer = LibraryImporter(self.store, self.keyword_index)
        if progress is None:
            return importer.save(user_id, parsed, self.clock())
        return importer.save(user_id, parsed, self.clock(), progress)


def _interest_labels(interests: list[Interest], positives: Matrix, liked_ids: list[str],
                     named: Mapping[str, Paper]) -> tuple[str, ...]:
    """A distinct name for each interest, from its papers' titles, most central first."""
    labels: list[str] = []
    for interest in interests:
        members = np.array(interest.members)
        centre = positives[members].mean(axis=0)
        order = members[np.argsort(-(positives[members] @ centre), kind="stable")]
        titles = [_title(named, liked_ids[int(i)]) for i in order]
        labels.append(interest_label(titles, {label.lower() for label in labels}))
    return tuple(labels)


def _title(papers: Mapping[str, Paper], arxiv_id: str) -> str:
    paper = papers.get(arxiv_id)
    return paper.title if paper else arxiv_id


def _words(text: str, lower: bool = False) -> tuple[str, ...]:
    words = [word.strip() for word in re.split(r"[,\n]+", text or "") if word.strip()]
    if len(words) > MAX_FILTER_WORDS:
        raise InvalidInputError(f"at most {MAX_FILTER_WORDS} entries per filter")
    cleaned = [(word.lower() if lower else word)[:60] for word in words]
    return tuple(dict.fromkeys(cleaned))


def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word.lower())}", re.IGNORECASE)


def _in_category(categories: tuple[str, ...] | list[str], wanted: str) -> bool:
    """``cs`` follows every cs.* category; ``cs.CL`` only itself."""
    return any(category == wanted or category.startswith(f"{wanted}.")
               for category in categories)


def with_followed(picks: tuple[Pick, ...], followed: list[FollowedPaper]) -> tuple[Pick, ...]:
    """Papers by followed authors first (newest first), each saying whom it is by; a paper
    that was a pick anyway keeps its other reasons too."""
    if not followed:
        return picks
    by_id = {pick.paper.arxiv_id: pick for pick in picks}
    first: list[Pick] = []
    for item in followed:
        reasons = tuple(Reason("author", author=name) for name in item.authors)
        earlier = by_id.pop(item.paper.arxiv_id, None)
        first.append(replace(earlier, reasons=reasons + earlier.reasons) if earlier
                     else Pick(item.paper, 0.0, reasons))
    return (*first, *(pick for pick in picks if pick.paper.arxiv_id in by_id))
