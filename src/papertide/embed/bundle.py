"""Vectors computed ahead of time (the bundled sample's), and loading them into a store.

A bundle holds, per paper, the fingerprint of the text that was embedded and
its float16 vector, tagged with the model that made them and a checksum of
the whole. Loading stores a bundled vector only for a paper whose stored
text has that same fingerprint and only when the configured model is the
bundle's, so a loaded vector is exactly what the embedder would compute
(to float16 rounding, which is how the store keeps vectors anyway). Papers
left over are embedded by the usual background run.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from papertide.embed.base import paper_text, text_fingerprint
from papertide.exceptions import EmbeddingError
from papertide.store.base import Store
from papertide.store.vectors import NewVector

FORMAT_VERSION = 1
LOAD_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class VectorBundle:
    """Precomputed vectors: ``ids[i]``'s text had ``fingerprints[i]`` and ``vectors[i]``."""

    model: str
    ids: tuple[str, ...]
    fingerprints: tuple[str, ...]
    vectors: npt.NDArray[np.float16]

    @classmethod
    def from_texts(cls, model: str, ids: Sequence[str], texts: Sequence[str],
                   vectors: npt.NDArray[np.float32]) -> VectorBundle:
        return cls(model, tuple(ids), tuple(text_fingerprint(text) for text in texts),
                   vectors.astype(np.float16))

    @property
    def checksum(self) -> str:
        """sha256 of the model, ids, fingerprints and vector bytes, in that order."""
        digest = hashlib.sha256()
        digest.update(self.model.encode("utf-8"))
        digest.update("\n".join(self.ids).encode("utf-8"))
        digest.update("\n".join(self.fingerprints).encode("utf-8"))
        digest.update(np.ascontiguousarray(self.vectors, dtype="<f2").tobytes())
        return digest.hexdigest()

    def by_id(self) -> dict[str, int]:
        return {arxiv_id: row for row, arxiv_id in enumerate(self.ids)}


@dataclass(frozen=True, slots=True)
class BundleLoad:
    """What loading a bundle did (``skipped``: why nothing was loaded, if so)."""

    loaded: int = 0
    left_to_embed: int = 0
    skipped: str | None = None


def write_bundle(path: Path, bundle: VectorBundle) -> None:
    meta = {"format": FORMAT_VERSION, "model": bundle.model, "count": len(bundle.ids),
            "dimension": int(bundle.vectors.shape[1]), "sha256": bundle.checksum}
    # ids and fingerprints are ASCII: stored as bytes, a quarter of NumPy's unicode arrays
    arrays = {"meta": np.array(json.dumps(meta, sort_keys=True)),
              "ids": np.array([i.encode("ascii") for i in bundle.ids]),
              "fingerprints": np.array([f.encode("ascii") for f in bundle.fingerprints]),
              "vectors": np.ascontiguousarray(bundle.vectors, dtype="<f2")}
    buffer = io.BytesIO()
    # What np.savez writes, with fixed time stamps: the same bundle gives the same bytes.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                             member.getvalue())
    path.write_bytes(buffer.getvalue())


def read_bundle(path: Path) -> VectorBundle:
    """The bundle in ``path``; raises EmbeddingError if it is unreadable or corrupt."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
            bundle = VectorBundle(str(meta["model"]), _texts(archive["ids"]),
                                  _texts(archive["fingerprints"]),
                                  archive["vectors"].astype(np.float16))
    except zipfile.BadZipFile as error:
        raise EmbeddingError(f"the vector file {path.name} is damaged ({error})") from error
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise EmbeddingError(f"the vector file {path.name} is unreadable ({error})") from error
    if meta.get("format") != FORMAT_VERSION or bundle.checksum != meta.get("sha256"):
        raise EmbeddingError(f"the vector file {path.name} is damaged (checksum mismatch)")
    if not len(bundle.ids) == len(bundle.fingerprints) == bundle.vectors.shape[0]:
        raise EmbeddingError(f"the vector file {path.name} is damaged (lengths differ)")
    return bundle


def _texts(values: npt.NDArray[np.bytes_]) -> tuple[str, ...]:
    return tuple(value.decode("ascii") for value in values.tolist())


def load_bundle(store: Store, model: str, bundle: VectorBundle) -> BundleLoad:
    """Store the bundle's vectors of papers whose text matches, as if just embedded.

    The model's watermark moves over every paper that now has a current vector,
    up to the first one that still needs embedding, so semantic search counts
    the loaded papers as done while the background run embeds the rest.
    """
    if bundle.model != model:
        return BundleLoad(skipped=f"the bundled vectors are of {bundle.model}, "
                                  f"this papertide uses {model}")
    rows = bundle.by_id()
    watermark = store.embedding_watermark(model)
    seen = watermark
    contiguous = True
    loaded = left = 0
    while True:
        papers = store.papers_changed_since(seen, LOAD_BATCH)
        if not papers:
            break
        current = store.vector_fingerprints([paper.arxiv_id for paper in papers], model)
        fresh: list[NewVector] = []
        for paper in papers:
            fingerprint = text_fingerprint(paper_text(paper))
            row = rows.get(paper.arxiv_id)
            if current.get(paper.arxiv_id) == fingerprint:
                pass
            elif row is not None and bundle.fingerprints[row] == fingerprint:
                fresh.append(NewVector(paper.arxiv_id, fingerprint,
                                       bundle.vectors[row].astype(np.float32)))
            else:
                contiguous = False
                left += 1
            if contiguous:
                watermark = paper.change_seq
        seen = papers[-1].change_seq
        store.save_vectors(model, fresh, [], watermark)
        loaded += len(fresh)
    return BundleLoad(loaded=loaded, left_to_embed=left)
