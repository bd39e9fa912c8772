"""TuSimple end to end on a small generated set: convert, train (train/val splits), predict
the official JSON decoded on each record's h_samples, and score it with ``evaluate tusimple``."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from lgad_studio.cli import main
from lgad_studio.core.events import EpochEnd, Finished
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.metrics.tusimple import tusimple_bench
from lgad_studio.core.training import StudentConfig, distill

FAST = {
    "width": 0.25, "input_size": (64, 24), "batch_size": 2, "epochs": 1, "steps_per_epoch": 2,
    "threads": 1, "device": "cpu", "preview_interval_s": 0.0,
}  # fmt: skip


def _read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_tusimple_predict_then_evaluate_on_a_converted_demo_set(
    demo_root: Path, constant_checkpoint: Path, tmp_path: Path, capsys
) -> None:
    tus = tmp_path / "tusimple"
    assert main(["convert", "--from", "culane", "--to", "tusimple", str(demo_root), str(tus)]) == 0
    dataset = open_dataset(tus)
    assert dataset.kind == "tusimple"
    assert dataset.split_names() == ["train", "val", "test"]  # the validation convention
    assert len(dataset.entries("val")) == 3 and len(dataset.entries("test")) == 9

    # The trainer runs on it: train split, validation on val decoded on the h_samples.
    config = StudentConfig(data=str(tus), out=str(tmp_path / "run"), mode="none", **FAST)
    events = list(distill(config))
    (epoch,) = [e for e in events if isinstance(e, EpochEnd)]
    assert {"f1", "tp", "fp", "fn"} <= set(epoch.metrics)
    assert epoch.metrics["tp"] + epoch.metrics["fn"] == sum(
        len(dataset.read_lanes(e)) for e in dataset.entries("val")
    )
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.last_checkpoint.is_file()
    capsys.readouterr()

    gt_file = tus / "test_label.json"
    for name, checkpoint in (
        ("trained", finished.last_checkpoint),
        ("constant", constant_checkpoint),
    ):
        pred = tmp_path / f"{name}.json"
        assert main(["predict", "--checkpoint", str(checkpoint), "--data", str(tus),
                     "--split", "test", "--out", str(pred), "--device", "cpu"]) == 0  # fmt: skip
        records = _read_records(pred)
        truth = {r["raw_file"]: r for r in _read_records(gt_file)}
        assert sorted(r["raw_file"] for r in records) == sorted(truth)
        for record in records:
            assert record["h_samples"] == truth[record["raw_file"]]["h_samples"]
            assert record["run_time"] > 0
            for lane in record["lanes"]:
                assert len(lane) == len(record["h_samples"])
                assert all(x == -2 or x >= -0.5 for x in lane)
        report = tmp_path / f"{name}-report.json"
        assert main(["evaluate", "tusimple", str(pred), str(gt_file), "--json", str(report)]) == 0
        figures = json.loads(report.read_text())
        expected = tusimple_bench(pred, gt_file)
        assert figures["accuracy"] == expected["accuracy"] and figures["fn"] == expected["fn"]
        assert f"Accuracy {expected['accuracy']:.6f}" in capsys.readouterr().out
    # The constant student finds slots 1 and 2 on every row: decoded on every h_sample
    # (46 rows on these 590-px images), not on SCNN's 18 rows.
    constant = _read_records(tmp_path / "constant.json")
    for record in constant:
        assert len(record["lanes"]) == 2
        assert all(
            sum(x != -2 for x in lane) == len(record["h_samples"]) for lane in record["lanes"]
        )
        assert len(record["h_samples"]) > 18
    torch.set_num_threads(1)
