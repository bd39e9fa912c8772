"""The four entry points report identical TP/FP/FN on the same images.

Validation during training, the experiment table (``score_splits``), the CLI
(``predict`` then ``evaluate culane`` on the written files) and the Evaluate tab
all run the core evaluation path. A constant student (its lanes do not depend on
the image) and ground truth planted around its lanes give every kind of count,
including a 1-point lane, which the official rule counts as a miss (the old
validation dropped it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from lgad_studio.cli import main
from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.inference import LanePredictor
from lgad_studio.core.metrics import evaluate_culane
from lgad_studio.core.metrics.culane_files import lines_path, read_eval_lanes
from lgad_studio.core.training.comparison import category_splits, score_splits
from lgad_studio.core.training.validate import validate
from lgad_studio.gui.evaluate.tab import EvaluateTab
from lgad_studio.gui.jobs import JobRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "evaluation"))
from models import constant_student, plant_truths  # noqa: E402


def test_validation_table_cli_and_tab_report_identical_counts(
    qtbot, demo_root: Path, tmp_path: Path
) -> None:
    checkpoint = constant_student(tmp_path / "constant.pt")
    dataset = open_dataset(demo_root)
    entries = dataset.entries("test")
    image = dataset.read_image(entries[0])
    predicted = [
        lane.points
        for lane in LanePredictor.from_checkpoint(checkpoint, device="cpu").predict(image).lanes
    ]
    assert len(predicted) == 2
    plant_truths(dataset, entries, predicted)
    dataset = open_dataset(demo_root)

    # What the official rule gives on these files, computed with the metric alone.
    truths = {e: read_eval_lanes(lines_path(demo_root, e)) for e in entries}
    expected = evaluate_culane({e: (truths[e], predicted) for e in entries}, workers=1)
    dropped = evaluate_culane(
        {e: ([g for g in truths[e] if len(g) >= 2], predicted) for e in entries}, workers=1
    )
    assert expected.tp > 0 and expected.fp > 0 and expected.fn > 0
    assert expected.fn == dropped.fn + 1  # the 1-point lane is a miss
    want = (expected.tp, expected.fp, expected.fn)

    # 1. Validation during training (the in-memory model).
    model = load_checkpoint(checkpoint).build_model(device="cpu").train()
    counts = validate(model, dataset, entries=entries, input_size=(64, 24))
    assert (counts.tp, counts.fp, counts.fn) == want
    assert model.training  # the trainer's mode is restored

    # 2. The experiment table.
    predictor = LanePredictor.from_checkpoint(checkpoint, device="cpu")
    total = score_splits(predictor, dataset, category_splits(dataset))["total"]
    assert (total.tp, total.fp, total.fn) == want

    # 3. The CLI: predict, then evaluate the written files.
    det, report = tmp_path / "det", tmp_path / "report.json"
    assert main(["predict", "--checkpoint", str(checkpoint), "--data", str(demo_root),
                 "--split", "test", "--out", str(det), "--device", "cpu", "--score"]) == 0  # fmt: skip
    assert main(["evaluate", "culane", "--anno", str(demo_root), "--det", str(det), "--list",
                 str(demo_root / "list" / "test.txt"), "--json", str(report)]) == 0  # fmt: skip
    figures = json.loads(report.read_text())
    assert (figures["tp"], figures["fp"], figures["fn"]) == want

    # 4. The Evaluate tab.
    runner = JobRunner()
    tab = EvaluateTab(runner)
    qtbot.addWidget(tab)
    try:
        tab.set_dataset(demo_root)
        tab.add_checkpoints([checkpoint])
        tab.set_split("test")
        with qtbot.waitSignal(tab.evaluated, timeout=120_000):
            qtbot.mouseClick(tab.evaluate_button, Qt.MouseButton.LeftButton)
        shown = tuple(tab.table.value("total", 0, m) for m in ("tp", "fp", "fn"))
        assert shown == want
        per_image = tab.result.checkpoints[0].counts
        assert np.array_equal(per_image.sum(axis=0), want)
    finally:
        assert runner.shutdown(30.0)
