"""The embedder interface and what every embedder shares.

An embedder maps text to unit-length vectors, so that the inner product of
two vectors is their cosine similarity; vector indexes rely on that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from papertide.models import Paper

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    @property
    def model_name(self) -> str:
        """Identifies the vectors: a different name means they must be recomputed."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text, in the order given."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """One unit-length vector (1-d); repeated queries are served from a cache."""
        ...


def paper_text(paper: Paper) -> str:
    """What is embedded for a paper: its title, then its abstract if it has one."""
    return document_text(paper.title, paper.abstract)


def document_text(title: str, abstract: str | None) -> str:
    """The embedded text of a title and abstract (also for records not yet stored)."""
    title = " ".join(title.split())
    abstract = " ".join((abstract or "").split())
    if not abstract:
        return title
    if not title:
        return abstract
    return f"{title}. {abstract}" if title[-1] not in ".?!" else f"{title} {abstract}"


def text_fingerprint(text: str) -> str:
    """A short digest of embedded text: unchanged text needs no new vector."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
