"""The default embedder: an exported ONNX model run by onnxruntime.

Loading is lazy and happens once per embedder (the first call exports the
model into the data dir if needed, which takes a few seconds). Documents are
embedded in length-sorted batches so that padding costs little; queries are
cached, since a results page, its next page and its feed ask for the same.

Queries run on a session of their own with one thread: a query takes about
2 ms alone, and a second thread spinning beside the keyword search of the
same request cost more than it saved (hybrid p50 at 1M papers 20.6 -> 16.1
ms, bench/README.md). Neither session spins while idle.

Papers are embedded on a GPU when onnxruntime offers one (``device="auto"``),
with the CPU behind it for whatever the GPU provider cannot run; queries stay
on the CPU, where one takes a couple of milliseconds without a device round trip.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from papertide.embed.base import Vectors
from papertide.embed.export import ExportedModel, Precision, ensure_exported
from papertide.exceptions import EmbeddingError

QUERY_CACHE_SIZE = 512
CPU = "CPUExecutionProvider"
# Accelerators onnxruntime may offer, most preferred first (each needs its onnxruntime build).
GPU_PROVIDERS = ("CUDAExecutionProvider", "ROCMExecutionProvider", "DmlExecutionProvider",
                 "CoreMLExecutionProvider")
Device = Literal["auto", "cpu"]


def execution_providers(available: Sequence[str], device: Device) -> list[str]:
    """The providers to run papers' embedding on: the GPU ones ``available`` offers (for
    ``auto``), then the CPU, which runs everything and is always there."""
    if device == "cpu":
        return [CPU]
    return [name for name in GPU_PROVIDERS if name in available] + [CPU]


class OnnxEmbedder:
    """Embeds text with a sentence-transformers model exported to ONNX."""

    def __init__(
        self,
        model: str,
        precision: Precision,
        models_dir: Path,
        batch_size: int = 32,
        threads: int = 0,
        device: Device = "auto",
    ) -> None:
        self._model = model
        self._precision = precision
        self._models_dir = models_dir
        self._batch_size = batch_size
        self._threads = threads
        self._device: Device = device
        self._load_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._sessions: dict[tuple[int, Device], Any] = {}  # made on first use
        self._tokenizer: Any = None
        self._exported: ExportedModel | None = None
        self._query_cache: OrderedDict[str, Vectors] = OrderedDict()

    @property
    def model_name(self) -> str:
        return f"{self._model}/{self._precision}"

    @property
    def dimension(self) -> int:
        return self._loaded().dimension

    @property
    def is_loaded(self) -> bool:
        return self._exported is not None

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        exported = self._loaded()
        result = np.zeros((len(texts), exported.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            chosen = order[start:start + self._batch_size]
            result[chosen] = self._run(self._session(self._threads, self._device),
                                       [texts[i] for i in chosen])
        return result

    def embed_query(self, text: str) -> Vectors:
        key = " ".join(text.split())
        with self._cache_lock:
            cached = self._query_cache.get(key)
            if cached is not None:
                self._query_cache.move_to_end(key)
                return cached
        vector: Vectors = self._run(self._session(1, "cpu"), [key])[0]
        vector.setflags(write=False)
        with self._cache_lock:
            self._query_cache[key] = vector
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vector

    def _run(self, session: Any, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        input_ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        attention = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        try:
            (vectors,) = session.run(None, {
                "input_ids": input_ids, "attention_mask": attention,
                "token_type_ids": np.zeros_like(input_ids),
            })
        except Exception as error:  # onnxruntime raises its own untyped errors
            raise EmbeddingError(f"the embedding model failed: {error}") from error
        result: Vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return result

    def _loaded(self) -> ExportedModel:
        if self._exported is not None:
            return self._exported
        with self._load_lock:
            if self._exported is None:
                exported = ensure_exported(self._model, self._precision, self._models_dir)
                self._tokenizer = _tokenizer(exported)
                self._exported = exported
        return self._exported

    def _session(self, threads: int, device: Device) -> Any:
        """The session running on ``threads`` threads of ``device``: a web process never
        loads the papers' one, a worker never the queries' one (unless they are the same)."""
        key = (threads, device)
        session = self._sessions.get(key)
        if session is None:
            exported = self._loaded()
            with self._load_lock:
                session = self._sessions.get(key)
                if session is None:
                    session = self._sessions[key] = _new_session(exported, threads, device)
        return session


def _tokenizer(exported: ExportedModel) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(exported.tokenizer_path))
    tokenizer.enable_truncation(max_length=exported.max_tokens)
    padding_id = tokenizer.token_to_id("[PAD]")
    tokenizer.enable_padding(pad_id=padding_id or 0, pad_token="[PAD]")
    return tokenizer


def _new_session(exported: ExportedModel, threads: int, device: Device) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.inter_op_num_threads = 1
    if threads > 0:
        options.intra_op_num_threads = threads
    # Spinning threads wait for work by burning a core, which the web server's
    # other requests (and the keyword half of this one) need.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers = execution_providers(onnxruntime.get_available_providers(), device)
    try:
        try:
            return onnxruntime.InferenceSession(str(exported.onnx_path), options,
                                                providers=providers)
        except Exception:
            if providers == [CPU]:
                raise
            # A GPU provider listed but unusable (no driver, no device): the CPU it is.
            return onnxruntime.InferenceSession(str(exported.onnx_path), options,
                                                providers=[CPU])
    except Exception as error:  # onnxruntime raises its own untyped errors
        raise EmbeddingError(f"cannot load the embedding model {exported.onnx_path}: {error}; "
                             f"delete that folder to export it again") from error
