"""Keyphrases from titles and abstracts: word runs between stop words.

A title like "Scaling Test-Time Compute for Large Language Models" splits at
stop words and punctuation into runs ("scaling test-time compute", "large
language models"); every 1–3 word n-gram inside a run is a candidate phrase,
keyed by a normalised form (lower case, last word singular) so that
"Language Models" and "language model" count together. Pure functions only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_WORDS = 3
MIN_WORD_LENGTH = 2


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-+]*[A-Za-z0-9+]|[A-Za-z]")
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»|/\\<>=]|\s[-–—]\s|\$[^$]*\$")
STOP_WORDS = _words("""
a about above across after against all almost along also although always among an and
another any are around as at be because been before being below beneath beside besides
between beyond both but by can cannot could did do does doing done down during each
either else enough etc even ever every few for from further had has have having he her
here hers him his how however i if in into is it its itself just least less let like
many may me might more most much must my near neither never no nor not now of off often
on once one only onto or other others otherwise our ours out over own per perhaps rather
same several shall she should since so some such than that the their theirs them
themselves then there these they this those though through throughout thus to too toward
towards under unless until up upon us use used uses using very via vs versus was we well
were what whatever when where whether which while who whom whose why will with within
without would yet you your we our paper papers work works study studies approach
approaches method methods result results show shows shown present presents presented
propose proposes proposed novel new based toward towards introduce introduces
introducing demonstrate demonstrates achieve achieves achieving improve improves
improving improved enable enables enabling first two three four five high low large-
scale better best via make makes making provide provides provided existing recent
recently various different significant significantly further effective efficient
efficiently simple general generally able across additionally six seven eight nine ten
hundred thousand million billion whereas whilst thereby hence therefore moreover
furthermore nevertheless nonetheless instead still already again also almost mostly
mainly largely highly widely commonly typically usually often particularly especially
specifically respectively directly indirectly independently due given including include
includes included remain remains remained keep keeps kept raise raises raised turn turns
turned call calls called find finds found yield yields get gets got give gives take
takes taken bring brings allow allows allowed require requires required lead leads led
reveal reveals revealed suggest suggests suggested consider considers considered obtain
obtains obtained perform performs performed outperform outperforms outperforming remain
across beyond key main novel strong stronger strongest weak weaker good great small
smaller larger largest higher lower whole don't doesn't can't won't isn't
""")
# Single words too broad to be a topic on their own.
GENERIC_WORDS = _words("""
model models learning data network networks system systems task tasks framework
frameworks performance problem problems analysis evaluation benchmark benchmarks
experiment experiments training method approach application applications algorithm
algorithms dataset datasets image images text language information state art process
structure function functions case effect effects time space set sets level levels
observation observations survey review evidence research technique techniques tool tools
quality value values property properties question questions use user users design form
theory feature features signal field fields source sources parameter parameters order
scale number sample samples type types part way mode modes range rate rates
""")
_NOUNS_IN_LY = _words("""
anomaly family assembly supply monopoly butterfly ally rally reply poly italy
""")
# Words titles use around a subject rather than as one ("Rethinking", "Robust").
_ADJECTIVE_ENDINGS = ("ive", "able", "ible", "ous", "ful", "less")
_TITLE_WORDS = _words("""
need needs robust report reports scenario evaluating rethinking revisiting understanding
exploring unlocking unleashing boosting bridging benchmarking towards beyond unified
infinite offline online failure failures executable persistent matter matters really
""")
_SINGULAR_EXCEPTIONS = _words("""
series species physics dynamics mathematics statistics economics analysis basis axis
thesis hypothesis lens gas mass glass class bias corpus status radius nucleus plus focus
virus bus news always perhaps
""")


def singular(word: str) -> str:
    """A light English singular: models -> model, galaxies -> galaxy, mass stays."""
    if word in _SINGULAR_EXCEPTIONS or len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ics", "ous", "as")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def runs(text: str) -> Iterator[list[str]]:
    """Runs of content words (original spelling) between stop words and punctuation."""
    for chunk in _BREAK.split(text):
        run: list[str] = []
        for match in _WORD.finditer(chunk):
            word = match.group().strip("'’-")
            lowered = word.lower().replace("’", "'")
            if (lowered in STOP_WORDS or len(word) < MIN_WORD_LENGTH
                    or lowered.replace("-", "").isdigit()):
                if run:
                    yield run
                run = []
            else:
                run.append(word)
        if run:
            yield run


def phrase_key(words: list[str]) -> str:
    """The normalised key of a phrase: lower case, the last word made singular."""
    lowered = [word.lower().replace("’", "'") for word in words]
    lowered[-1] = singular(lowered[-1])
    return " ".join(lowered)


def phrases_with_surface(text: str) -> Iterator[tuple[str, str]]:
    """``(key, surface form)`` of every candidate phrase in ``text`` (with repeats)."""
    for run in runs(text):
        for size in range(1, MAX_WORDS + 1):
            for start in range(len(run) - size + 1):
                words = run[start:start + size]
                key = phrase_key(words)
                if size == 1 and not _topical_word(key):
                    continue
                yield key, " ".join(words)


def document_phrases(title: str, abstract: str | None) -> tuple[set[str], set[str]]:
    """The distinct phrase keys of a paper: ``(in its title, in title or abstract)``.

    Single words count from the title only: in an abstract they are mostly
    prose ("keeps", "records"); in a title they name the subject ("Mamba").
    """
    in_title = {key for key, _ in phrases_with_surface(title)}
    keys = set(in_title)
    if abstract:
        keys.update(key for key, _ in phrases_with_surface(abstract) if " " in key)
    return in_title, keys


def _topical_word(key: str) -> bool:
    """Single words that can name a topic: not generic, not an -ly adverb or -ed verb."""
    if key in GENERIC_WORDS or len(key) < 3:
        return False
    if key.endswith("ly") and key not in _NOUNS_IN_LY:
        return False
    if key.endswith(_ADJECTIVE_ENDINGS) or key in _TITLE_WORDS:
        return False
    return not (key.endswith("ed") and not key.endswith("eed") and len(key) > 4)


def slugify(phrase: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-") or "topic"
