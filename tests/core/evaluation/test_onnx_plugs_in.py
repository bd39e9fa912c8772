"""An ONNX export evaluates through the same job as its checkpoint, unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.evaluation.job import evaluate_checkpoints


def test_the_evaluate_job_scores_an_onnx_export_like_its_checkpoint(
    demo_root: Path, constant_checkpoint: Path, tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    from lgad_studio.core.export import export_onnx

    onnx = export_onnx(constant_checkpoint, tmp_path / "constant.onnx")
    job = evaluate_checkpoints(
        demo_root, "test", [constant_checkpoint, onnx], device="cpu", threads=1
    )
    while True:
        try:
            next(job)
        except StopIteration as stop:
            result = stop.value
            break
    first, second = result.checkpoints
    assert second.label.startswith("ONNX model · ")
    assert np.array_equal(first.counts, second.counts) and first.counts[:, 1].sum() > 0
