"""Prediction, CULane detection files, ONNX export and the commands that drive them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lgad_studio.cli import main
from lgad_studio.core.checkpoint import CheckpointError, load_checkpoint
from lgad_studio.core.evaluation.predict import predict_dataset
from lgad_studio.core.formats.culane_lines import read_lane_points
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.inference import LanePredictor
from lgad_studio.core.metrics.culane_files import lines_path
from lgad_studio.core.models import ExportWrapper
from lgad_studio.core.training.comparison import Counts, category_splits, format_table, score_splits


def test_predictor_outputs(student_checkpoint: Path) -> None:
    predictor = LanePredictor.from_checkpoint(student_checkpoint, device="cpu")
    image = np.full((590, 1640, 3), 90, np.uint8)
    pred = predictor.predict(image)
    assert pred.prob_map.shape == (5, 24, 64) and pred.prob_map.dtype == np.float32
    assert np.allclose(pred.prob_map.sum(axis=0), 1.0, atol=1e-4)
    assert pred.exist.shape == (4,) and ((pred.exist >= 0) & (pred.exist <= 1)).all()
    assert pred.lanes.image_size == (1640, 590)
    with pytest.raises(ValueError, match="uint8 \\[H, W, 3\\]"):
        predictor.predict(np.zeros((10, 10), np.uint8))


def test_teacher_checkpoint_cannot_predict_images(teacher_checkpoint: Path) -> None:
    with pytest.raises(CheckpointError, match="expected a student"):
        LanePredictor.from_checkpoint(teacher_checkpoint, device="cpu")


def test_predict_dataset_writes_culane_detections(
    student_checkpoint: Path, culane_root: Path, tmp_path: Path
) -> None:
    ds = open_dataset(culane_root)
    events = list(
        predict_dataset(student_checkpoint, ds, "test", tmp_path, batch_size=3, device="cpu")
    )
    assert [e.done for e in events] == [3, 4] and events[-1].total == 4
    for entry in ds.entries("test"):
        path = lines_path(tmp_path, entry)
        assert path.is_file() and path.name.endswith(".lines.txt")
        read_lane_points(path)  # parses


def test_predict_and_export_commands(
    student_checkpoint: Path, culane_root: Path, tmp_path: Path
) -> None:
    det = tmp_path / "det"
    list_file = culane_root / "list" / "test_split" / "test0_normal.txt"
    assert main(["predict", "--checkpoint", str(student_checkpoint), "--data", str(culane_root),
                 "--list", str(list_file), "--out", str(det), "--device", "cpu"]) == 0  # fmt: skip
    written = sorted(p.relative_to(det).as_posix() for p in det.rglob("*.lines.txt"))
    expected = sorted(str(Path(e).with_suffix(".lines.txt")) for e in list_file.read_text().split())
    assert written == [e.lstrip("/") for e in expected]
    assert (
        main(
            [
                "export",
                "--checkpoint",
                str(tmp_path / "nope.pt"),
                "--onnx",
                str(tmp_path / "m.onnx"),
            ]
        )
        == 2
    )


def test_onnx_matches_pytorch(student_checkpoint: Path, tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    from lgad_studio.core.export import export_onnx

    path = export_onnx(student_checkpoint, tmp_path / "student.onnx")
    model = ExportWrapper(load_checkpoint(student_checkpoint).build_model()).eval()
    x = torch.randn(3, 3, 24, 64)
    with torch.no_grad():
        prob, exist = model(x)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    o_prob, o_exist = session.run(None, {"input": x.numpy()})
    assert np.abs(o_prob - prob.numpy()).max() < 1e-4
    assert np.abs(o_exist - exist.numpy()).max() < 1e-4


def test_score_splits_and_table(student_checkpoint: Path, culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    splits = category_splits(ds)
    assert splits == ["test0_normal", "test6_curve"]
    scores = score_splits(
        LanePredictor.from_checkpoint(student_checkpoint, device="cpu"), ds, splits
    )
    gt_lanes = sum(len(ds.read_lanes(e)) for e in ds.entries("test"))
    total = scores["total"]
    assert total.tp + total.fn == gt_lanes
    assert total == scores["test0_normal"] + scores["test6_curve"]
    seeds = [dict.fromkeys(scores, Counts(8, 2, 2))] * 2
    table = format_table({"baseline": [scores], "LGAD": seeds})
    assert table.splitlines()[0] == "| category | baseline | LGAD |"
    assert "| **total** |" in table and "| 80.0 ± 0.0 |" in table


def test_counts_follow_the_one_f1_convention() -> None:
    assert Counts(0, 0, 5).f1 == -1.0  # no detections: precision undefined, as the official tool
    assert Counts(0, 3, 5).f1 == 0.0
    assert Counts(8, 2, 2).f1 == pytest.approx(0.8)
    table = format_table({"m": [{"test0_normal": Counts(0, 0, 5), "total": Counts(8, 2, 2)}]})
    assert "| normal | – |" in table and "| **total** | 80.0 |" in table


def test_decode_map_resizes_narrow_maps_to_the_decode_width() -> None:
    from lgad_studio.core.inference import decode_map

    prob = torch.softmax(torch.randn(2, 5, 24, 64), dim=1)
    wide = decode_map(prob)
    assert wide.shape == (2, 5, 300, 800) and torch.allclose(wide.sum(dim=1), torch.ones(1))
    assert decode_map(wide) is wide
