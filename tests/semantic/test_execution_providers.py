"""Which onnxruntime providers embed papers: a GPU when one is offered, the CPU always."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertide.embed.onnx import execution_providers
from papertide.exceptions import ConfigError
from tests.helpers import make_settings


def test_a_cpu_only_machine_embeds_on_the_cpu() -> None:
    assert execution_providers(["CPUExecutionProvider"], "auto") == ["CPUExecutionProvider"]
    assert execution_providers(["AzureExecutionProvider", "CPUExecutionProvider"], "auto") == [
        "CPUExecutionProvider"]


def test_an_offered_gpu_comes_first_with_the_cpu_behind_it() -> None:
    offered = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert execution_providers(offered, "auto") == ["CUDAExecutionProvider",
                                                    "CPUExecutionProvider"]
    assert execution_providers(["CoreMLExecutionProvider", "CPUExecutionProvider"], "auto") == [
        "CoreMLExecutionProvider", "CPUExecutionProvider"]
    assert execution_providers(["DmlExecutionProvider", "ROCMExecutionProvider"], "auto") == [
        "ROCMExecutionProvider", "DmlExecutionProvider", "CPUExecutionProvider"]


def test_the_cpu_setting_ignores_a_gpu() -> None:
    assert execution_providers(["CUDAExecutionProvider", "CPUExecutionProvider"], "cpu") == [
        "CPUExecutionProvider"]


def test_an_unknown_device_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="embedding_device must be auto or cpu"):
        make_settings(tmp_path, embedding_device="gpu0")
