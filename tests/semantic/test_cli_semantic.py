"""`papertide embed`, `reindex` and `search --mode` as a person runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from papertide.embed.onnx import OnnxEmbedder
from tests.cli.helpers import kaggle_line, write_lines


def papertide(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papertide", "--data-dir", str(data_dir),
                           *arguments], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


@pytest.fixture
def data_dir(tmp_path: Path, embedder: OnnxEmbedder, models_dir: Path) -> Path:
    """A data dir holding the session's exported model, so no process exports it again."""
    embedder.embed_query("make sure the model is exported")
    folder = tmp_path / "data"
    shutil.copytree(models_dir, folder / "models", ignore=shutil.ignore_patterns("*.lock"))
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line("2503.00001", "Forecasting rainfall with radar and deep learning",
                    abstract="Neural networks predict precipitation from radar maps."),
        kaggle_line("2503.00002", "Quantum error correction with surface codes",
                    abstract="Surface codes protect qubits from noise.", categories="quant-ph"),
        kaggle_line("2503.00003", "Sorting nearly sorted arrays quickly",
                    abstract="Adaptive comparison sorts.", categories="cs.DS"),
    ])
    assert papertide(folder, "import", str(papers)).returncode == 0
    return folder


def test_embed_then_search_by_meaning(data_dir: Path) -> None:
    before = papertide(data_dir, "search", "--json", "will it rain tomorrow")
    assert json.loads(before.stdout)["mode"] == "keyword"
    assert "not ready" in json.loads(before.stdout)["fallback"]
    embedded = papertide(data_dir, "embed")
    assert embedded.returncode == 0, embedded.stderr
    assert "embedded 3 papers" in embedded.stdout
    assert "3 of 3 papers embedded (100%)" in embedded.stdout
    found = papertide(data_dir, "search", "--mode", "semantic", "--json", "will it rain tomorrow")
    body = json.loads(found.stdout)
    assert body["mode"] == "semantic" and body["fallback"] is None
    assert body["results"][0]["arxiv_id"] == "2503.00001"
    again = papertide(data_dir, "embed")
    assert "embedded 0 papers" in again.stdout


def test_reindex_rebuilds_both_indexes(data_dir: Path) -> None:
    assert papertide(data_dir, "embed").returncode == 0
    shutil.rmtree(data_dir / "vector-index")
    rebuilt = papertide(data_dir, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "search index rebuilt: 3 papers" in rebuilt.stdout
    assert "vector index rebuilt: 3 vectors" in rebuilt.stdout
    assert "embedded 0 papers" in rebuilt.stdout
    hybrid = papertide(data_dir, "search", "--json", "qubits and noise")
    assert json.loads(hybrid.stdout)["mode"] == "hybrid"
    keyword_only = papertide(data_dir, "reindex", "--keyword-only")
    assert "vector index" not in keyword_only.stdout
