"""The vector index of the embedded deployment: exact numpy, or faiss HNSW when large.

Chosen by measurement (bench/semantic_latency.py): an exact matrix product
answers in about 3 ms at 100k papers but 30 ms at 1M, so below
``exact_max`` vectors the index is exact (recall 1, nothing to build) and
above it an HNSW graph answers in about a millisecond. Filtered searches
whose allowed set is small are always exact over that set; larger ones
search the graph with an allow-list and a wider beam.

Slots are positions in the vector matrix (HNSW ids are slots too); a label
that gets a new vector leaves a dead slot behind, skipped by every search
and dropped when dead slots pass a quarter of the total (the graph is then
rebuilt). The index is saved into ``folder`` as one generation of files named
by ``state.json``, which is replaced last, so a crash leaves the previous
generation whole; the database fills in whatever a saved generation lacks.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import secrets
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from papertide.exceptions import SearchIndexError
from papertide.search.facets import BoolMask, Facets
from papertide.search.vectors import VectorFilter, VectorHit, VectorIndexState
from papertide.store.vectors import StoredVector, Vector

FORMAT_VERSION = 1
STATE_FILE = "state.json"
SAVE_LOCK = ".save.lock"
EXACT_SUBSET_MAX = 20_000
GATHER_SHARE = 0.1
MAX_EF_SEARCH = 4_096
COMPACT_DEAD_SHARE = 0.25
SAVE_SHARE = 0.05
SAVE_MIN = 5_000
GROWTH = 1.5
Labels = npt.NDArray[np.int64]


class FaissVectorIndex:
    """Vectors of one model, searchable by cosine similarity; thread-safe."""

    def __init__(
        self,
        folder: Path,
        exact_max: int = 200_000,
        hnsw_m: int = 16,
        ef_construction: int = 128,
        ef_search: int = 256,
        saves: bool = True,
    ) -> None:
        """``saves=False``: never write the folder (a web process beside the one that
        embeds keeps its copy current from the database, and leaves saving to it)."""
        self.folder = folder
        self.saves = saves
        self.exact_max = exact_max
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self._lock = threading.RLock()
        self._reset()
        self._state: VectorIndexState | None = None
        self._unsaved = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SearchIndexError(f"cannot create the vector index folder {folder}: {error}") \
                from error
        self._load()

    def _reset(self) -> None:
        self._dimension = 0
        self._slots = 0
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, 0), np.float32)
        self._hnsw: Any = None
        self._labels: Labels = np.zeros(0, np.int64)
        self._live: BoolMask = np.zeros(0, bool)
        self._slot_of: Labels = np.zeros(0, np.int64)
        self._facets = Facets()
        self._dead = 0

    # -- reading -----------------------------------------------------------------------

    def state(self) -> VectorIndexState | None:
        return self._state

    def count(self) -> int:
        return self._slots - self._dead

    def count_matching(self, where: VectorFilter) -> int:
        with self._lock:
            allowed = self._allowed(where)
            return self.count() if allowed is None else int(np.count_nonzero(allowed))

    def vector(self, label: int) -> Vector | None:
        with self._lock:
            slot = self._slot(label)
            return None if slot is None else self._vectors()[slot].copy()

    def similarities(self, query: Vector, labels: Sequence[int]) -> dict[int, float]:
        with self._lock:
            found = [(label, slot) for label in labels
                     if (slot := self._slot(label)) is not None]
            if not found:
                return {}
            slots = np.fromiter((slot for _, slot in found), np.int64, len(found))
            scores = self._vectors()[slots] @ np.asarray(query, np.float32)
            return {label: float(score) for (label, _), score in zip(found, scores, strict=True)}

    def search(
        self, query: Vector, limit: int, where: VectorFilter | None = None
    ) -> list[VectorHit]:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        with self._lock:
            if self.count() == 0 or limit <= 0:
                return []
            allowed = self._allowed(where or VectorFilter())
            if allowed is None:
                allowed_count = self._slots
            else:
                allowed_count = int(np.count_nonzero(allowed))
                if allowed_count == 0:
                    return []
            limit = min(limit, allowed_count)
            if self._hnsw is None or allowed_count <= EXACT_SUBSET_MAX:
                slots, scores = self._search_exact(query, limit, allowed)
            else:
                slots, scores = self._search_graph(query, limit, allowed, allowed_count)
            labels = self._labels[slots]
        return [VectorHit(int(label), float(score)) for label, score in zip(labels, scores,
                                                                             strict=True)]

    def _allowed(self, where: VectorFilter) -> BoolMask | None:
        mask = self._facets.mask(self._slots, where.categories, where.date_from, where.date_to)
        if where.labels is not None:
            chosen = np.zeros(self._slots, dtype=bool)
            slots = [slot for label in where.labels if (slot := self._slot(label)) is not None]
            chosen[slots] = True
            mask = chosen if mask is None else mask & chosen
        if self._dead:
            live = self._live[:self._slots]
            mask = live.copy() if mask is None else mask & live
        for label in where.exclude:
            slot = self._slot(label)
            if slot is not None:
                mask = np.ones(self._slots, dtype=bool) if mask is None else mask
                mask[slot] = False
        return mask

    def _search_exact(
        self, query: Vector, limit: int, allowed: BoolMask | None
    ) -> tuple[Labels, npt.NDArray[np.float32]]:
        vectors = self._vectors()
        # einsum rather than ``@``: OpenBLAS's matrix-vector product measured 2-3x slower here
        if allowed is None:
            candidates = np.arange(self._slots)
            scores = np.einsum("ij,j->i", vectors, query)
        elif np.count_nonzero(allowed) > GATHER_SHARE * self._slots:
            # a wide filter: scoring everything beats copying out the allowed rows
            candidates = np.flatnonzero(allowed)
            scores = np.einsum("ij,j->i", vectors, query)[candidates]
        else:
            candidates = np.flatnonzero(allowed)
            scores = np.einsum("ij,j->i", vectors[candidates], query)
        if limit < len(scores):
            top = np.argpartition(-scores, limit - 1)[:limit]
        else:
            top = np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return candidates[top], scores[top]

    def _search_graph(
        self, query: Vector, limit: int, allowed: BoolMask | None, allowed_count: int
    ) -> tuple[Labels, npt.NDArray[np.float32]]:
        faiss = _faiss()

        params = faiss.SearchParametersHNSW()
        widen = self._slots / allowed_count
        params.efSearch = int(min(max(self.ef_search, limit) * widen, MAX_EF_SEARCH))
        params.efSearch = max(params.efSearch, limit)
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(self._slots, faiss.swig_ptr(bitmap))
            params.sel = selector
        distances, ids = self._hnsw.search(query.reshape(1, -1), limit, params=params)
        found = ids[0] >= 0
        return ids[0][found].astype(np.int64), distances[0][found]

    def _slot(self, label: int) -> int | None:
        if 0 <= label < len(self._slot_of):
            slot = int(self._slot_of[label])
            if slot >= 0 and self._live[slot]:
                return slot
        return None

    def _vectors(self) -> npt.NDArray[np.float32]:
        """All slots' vectors as one matrix (a view of the graph's storage when HNSW)."""
        if self._hnsw is None:
            return self._matrix[:self._slots]
        faiss = _faiss()

        storage = faiss.downcast_index(self._hnsw.storage)
        pointer = faiss.rev_swig_ptr(storage.get_xb(), self._slots * self._dimension)
        return np.asarray(pointer).reshape(self._slots, self._dimension)

    # -- writing -----------------------------------------------------------------------

    def upsert(self, vectors: Sequence[StoredVector]) -> None:
        if not vectors:
            return
        with self._lock:
            self._ensure_dimension(len(vectors[0].vector))
            batch = np.zeros((len(vectors), self._dimension), np.float32)
            for i, item in enumerate(vectors):
                batch[i] = item.vector
            self._retire([item.label for item in vectors])
            first = self._slots
            self._append_vectors(batch)
            self._grow_bookkeeping(self._slots, max(item.label for item in vectors))
            for offset, item in enumerate(vectors):
                slot = first + offset
                self._labels[slot] = item.label
                self._live[slot] = True
                self._slot_of[item.label] = slot
                self._facets.set(slot, item.announced_date, item.categories)
            self._unsaved += len(vectors)

    def _ensure_dimension(self, dimension: int) -> None:
        if self._dimension == 0:
            self._dimension = dimension
            self._matrix = np.zeros((0, dimension), np.float32)
        elif dimension != self._dimension:
            raise SearchIndexError(
                f"vectors of {dimension} dimensions cannot join an index of {self._dimension}")

    def _retire(self, labels: Sequence[int]) -> None:
        """Mark the slots of labels that get a new vector (or repeat in a batch) as dead."""
        for label in labels:
            if 0 <= label < len(self._slot_of) and self._slot_of[label] >= 0:
                slot = int(self._slot_of[label])
                if self._live[slot]:
                    self._live[slot] = False
                    self._dead += 1
                self._slot_of[label] = -1

    def _append_vectors(self, batch: npt.NDArray[np.float32]) -> None:
        if self._hnsw is not None:
            self._hnsw.add(batch)
        else:
            needed = self._slots + len(batch)
            if needed > len(self._matrix):
                grown = np.zeros((max(needed, int(len(self._matrix) * GROWTH)),
                                  self._dimension), np.float32)
                grown[:self._slots] = self._matrix[:self._slots]
                self._matrix = grown
            self._matrix[self._slots:needed] = batch
        self._slots += len(batch)

    def _grow_bookkeeping(self, slots: int, max_label: int) -> None:
        if slots > len(self._labels):
            size = max(slots, int(len(self._labels) * GROWTH))
            self._labels = np.concatenate([self._labels,
                                           np.zeros(size - len(self._labels), np.int64)])
            self._live = np.concatenate([self._live, np.zeros(size - len(self._live), bool)])
        if max_label >= len(self._slot_of):
            size = max(max_label + 1, int(len(self._slot_of) * GROWTH))
            self._slot_of = np.concatenate(
                [self._slot_of, np.full(size - len(self._slot_of), -1, np.int64)])
        self._facets.resize(slots)

    def commit(self, state: VectorIndexState) -> None:
        with self._lock:
            self._state = state
            self._maybe_restructure()
            if self._unsaved >= max(SAVE_MIN, int(self.count() * SAVE_SHARE)):
                self._save()

    def flush(self) -> None:
        with self._lock:
            if self._unsaved or not (self.folder / STATE_FILE).exists():
                self._save()

    def clear(self) -> None:
        with self._lock:
            self._reset()
            self._state = None
            self._unsaved = 1

    def close(self) -> None:
        with self._lock:
            if self._unsaved and self._state is not None:
                self._save()
            self._reset()

    def _maybe_restructure(self) -> None:
        """Compact dead slots, and switch between exact and HNSW at ``exact_max``."""
        live = self.count()
        wants_graph = live > self.exact_max
        too_dead = self._dead > COMPACT_DEAD_SHARE * max(self._slots, 1)
        if too_dead or wants_graph != (self._hnsw is not None):
            self._rebuild(wants_graph)

    def _rebuild(self, graph: bool) -> None:
        live_slots = np.flatnonzero(self._live[:self._slots])
        # no dead slots: hand over the matrix itself rather than a copy of it
        vectors = (self._vectors() if self._dead == 0
                   else np.ascontiguousarray(self._vectors()[live_slots]))
        labels = self._labels[live_slots]
        days = self._facets.days[live_slots]
        bits = self._facets.bits[live_slots]
        vocabulary = list(self._facets.vocabulary)
        dimension = self._dimension
        previous_graph = self._hnsw  # may own the memory ``vectors`` views: keep it alive
        self._reset()
        self._dimension = dimension
        self._matrix = np.zeros((0, dimension), np.float32)
        if graph:
            self._hnsw = self._new_graph()
        self._append_vectors(vectors)
        del previous_graph
        self._adopt(labels, days, bits, vocabulary)
        self._unsaved += len(labels)

    def _adopt(self, labels: Labels, days: npt.NDArray[np.int32], bits: npt.NDArray[np.uint8],
               vocabulary: list[str], live: BoolMask | None = None) -> None:
        """Install slot bookkeeping for slots ``[0, len(labels))`` already holding vectors."""
        count = len(labels)
        self._labels = labels.astype(np.int64).copy()
        self._live = np.ones(count, bool) if live is None else live.astype(bool).copy()
        self._slot_of = np.full(int(labels.max()) + 1 if count else 0, -1, np.int64)
        live_slots = np.flatnonzero(self._live)
        self._slot_of[self._labels[live_slots]] = live_slots
        self._facets = Facets.restore(vocabulary, days.astype(np.int32).copy(),
                                      bits.astype(np.uint8).copy())
        self._dead = count - len(live_slots)

    def _new_graph(self) -> Any:
        faiss = _faiss()

        graph = faiss.IndexHNSWFlat(self._dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = self.ef_construction
        graph.hnsw.efSearch = self.ef_search
        return graph

    # -- saving and loading ------------------------------------------------------------

    def _save(self) -> None:
        if self._state is None or not self.saves:
            return
        try:
            with (self.folder / SAVE_LOCK).open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be saving too
                self._save_generation()
        except OSError as error:
            raise SearchIndexError(f"cannot save the vector index in {self.folder}: {error}") \
                from error

    def _save_generation(self) -> None:
        assert self._state is not None
        faiss = _faiss()
        generation = secrets.token_hex(6)
        try:
            if self._hnsw is not None:
                graph_path = self.folder / f"graph-{generation}.faiss"
                faiss.write_index(self._hnsw, str(graph_path))
                _fsync(graph_path)
            else:
                _save_array(self.folder / f"vectors-{generation}.npy", self._vectors())
            _save_arrays(self.folder / f"slots-{generation}.npz", {
                "labels": self._labels[:self._slots],
                "live": self._live[:self._slots],
                "days": self._facets.days[:self._slots],
                "bits": self._facets.bits[:self._slots],
            })
            _write_json_atomically(self.folder / STATE_FILE, {
                "format_version": FORMAT_VERSION,
                "generation": generation,
                "graph": self._hnsw is not None,
                "dimension": self._dimension,
                "vocabulary": self._facets.vocabulary,
                "instance_id": self._state.instance_id,
                "model": self._state.model,
                "vector_seq": self._state.vector_seq,
            })
        except OSError as error:
            raise SearchIndexError(f"cannot save the vector index in {self.folder}: {error}") \
                from error
        self._unsaved = 0
        for entry in self.folder.iterdir():
            if entry.name not in (STATE_FILE, SAVE_LOCK) and generation not in entry.name:
                entry.unlink(missing_ok=True)

    def _load(self) -> None:
        """Load the saved generation; anything unreadable leaves the index empty."""
        try:
            data = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
            if data.get("format_version") != FORMAT_VERSION:
                return
            generation = str(data["generation"])
            arrays = np.load(self.folder / f"slots-{generation}.npz")
            labels, live = arrays["labels"], arrays["live"]
            days, bits = arrays["days"], arrays["bits"]
            dimension = int(data["dimension"])
            state = VectorIndexState(str(data["instance_id"]), str(data["model"]),
                                     int(data["vector_seq"]))
            if data["graph"]:
                faiss = _faiss()

                graph = faiss.read_index(str(self.folder / f"graph-{generation}.faiss"))
                graph.hnsw.efSearch = self.ef_search
                if graph.ntotal != len(labels) or graph.d != dimension:
                    return
                self._hnsw = graph
            else:
                matrix = np.load(self.folder / f"vectors-{generation}.npy")
                if matrix.shape != (len(labels), dimension):
                    return
                self._matrix = np.ascontiguousarray(matrix, np.float32)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError):
            self._reset()
            return
        self._dimension = dimension
        self._slots = len(labels)
        self._adopt(labels, days, bits, [str(term) for term in data["vocabulary"]], live)
        self._state = state


def _faiss() -> Any:
    """faiss, imported on first use (its import costs a quarter of a second)."""
    return importlib.import_module("faiss")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _save_array(path: Path, array: npt.NDArray[Any]) -> None:
    with path.open("wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


def _save_arrays(path: Path, arrays: dict[str, npt.NDArray[Any]]) -> None:
    with path.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **arrays)
        handle.flush()
        os.fsync(handle.fileno())


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)

