"""The default embedder: offline from the installed package, sensible, lazy and cached."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from papertide.embed.base import paper_text
from papertide.embed.onnx import OnnxEmbedder
from tests.helpers import FIXED_NOW, data_dir_environment
from tests.semantic.corpus import corpus_records


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_a_paraphrase_is_closer_than_an_unrelated_text(embedder: OnnxEmbedder) -> None:
    original, paraphrase, unrelated = embedder.embed_documents([
        "The cat sat on the mat and went to sleep.",
        "A kitten dozed off lying on the rug.",
        "Interest rates rose after the central bank meeting.",
    ])
    assert cosine(original, paraphrase) > cosine(original, unrelated) + 0.3


def test_vectors_are_unit_length_and_in_the_order_given(embedder: OnnxEmbedder) -> None:
    texts = ["short", "a much longer text about gravitational waves and neutron stars " * 5,
             "medium length text on proteins"]
    together = embedder.embed_documents(texts)
    assert together.shape == (3, embedder.dimension) == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-3)
    alone = np.vstack([embedder.embed_documents([text]) for text in texts])
    # int8 activations are scaled per batch, so a batch shifts vectors a little, never the order
    agreement = alone @ together.T
    assert list(agreement.argmax(axis=1)) == [0, 1, 2]
    assert agreement.diagonal().min() > 0.95


def test_the_model_is_exported_once_into_the_models_folder(
    embedder: OnnxEmbedder, models_dir: Path
) -> None:
    embedder.embed_query("make sure the model is loaded")
    exported = list(models_dir.glob("all-MiniLM-L6-v2-int8-*/model.onnx"))
    assert len(exported) == 1
    # dynamic int8 quantisation: a quarter of the float32 weights plus the fp32 embedding table
    assert exported[0].stat().st_size < 70_000_000


def test_query_embeddings_are_cached_and_fast(embedder: OnnxEmbedder) -> None:
    embedder.embed_query("warm the model up")
    started = time.perf_counter()
    first = embedder.embed_query("sparse attention for very long documents")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = embedder.embed_query("  sparse attention   for very long documents ")
    warm = time.perf_counter() - started
    assert cold < 0.5
    assert warm < 0.005
    assert np.array_equal(first, again)


def test_a_paper_without_abstract_is_embedded_from_its_title(embedder: OnnxEmbedder) -> None:
    record = corpus_records()[3]
    from papertide.models import Paper

    paper = Paper(arxiv_id=record.arxiv_id, title=record.title, abstract=None, authors=(),
                  primary_category=None, categories=(), comments=None, journal_ref=None,
                  doi=None, license=None, latest_version=None, versions=(), submitted_at=None,
                  updated_at=None, announced_date=None, announced_is_estimate=False, sources=(),
                  first_stored_at=FIXED_NOW, last_changed_at=FIXED_NOW)
    assert paper_text(paper) == record.title
    (vector,) = embedder.embed_documents([paper_text(paper)])
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
    related, unrelated = embedder.embed_documents(["Hawking radiation from black holes",
                                                   "sorting nearly sorted arrays"])
    assert cosine(vector, related) > cosine(vector, unrelated)


def test_importing_papertide_loads_no_model(tmp_path: Path) -> None:
    code = ("import sys; import papertide.app, papertide.search.semantic, papertide.cli.main; "
            "heavy = [m for m in ('torch', 'onnxruntime', 'transformers', 'faiss', 'tokenizers') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, **data_dir_environment(tmp_path)})
    assert result.stdout.strip() == "[]"


def test_the_model_loads_offline_from_the_package(models_dir: Path, tmp_path: Path) -> None:
    """A fresh process with the hub unreachable loads the exported model and embeds."""
    code = ("import sys; from pathlib import Path; from papertide.embed.onnx import OnnxEmbedder; "
            "e = OnnxEmbedder('all-MiniLM-L6-v2', 'int8', Path(sys.argv[1])); "
            "print(e.embed_query('offline').shape)")
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9",
                   "HF_HOME": str(tmp_path / "hf-home")}
    result = subprocess.run([sys.executable, "-c", code, str(models_dir)], capture_output=True,
                            text=True, check=True, env=environment)
    assert result.stdout.strip() == "(384,)"
