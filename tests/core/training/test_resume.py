"""Run records and exact resumption: a run cancelled in mid-epoch continues the same sequence."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
import torch

from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.events import Finished, StepMetrics
from lgad_studio.core.training import StudentConfig, TeacherConfig, distill, train_teacher
from lgad_studio.core.training import loop as loop_module


@pytest.fixture(autouse=True)
def every_step_emits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop_module, "STEP_EVENT_INTERVAL_S", 0.0)


def _losses(events) -> list[tuple[int, float]]:
    return [(e.step, e.losses["loss"]) for e in events if isinstance(e, StepMetrics)]


def test_resume_in_mid_epoch_continues_the_loss_sequence_exactly(
    student_config: StudentConfig,
) -> None:
    config = student_config.replace(mode="lgad", epochs=2, at_start_epoch=0.0, at_weight=0.5)
    whole = list(distill(config.replace(out=config.out + "-whole")))
    expected = _losses(whole)
    assert [s for s, _ in expected] == [1, 2, 3, 4]

    cancel = threading.Event()
    interrupted = config.replace(out=config.out + "-cut")
    first = []
    for event in distill(interrupted, cancel=cancel):
        first.append(event)
        if isinstance(event, StepMetrics) and event.step == 3:  # in the middle of epoch 2
            cancel.set()
    finished = first[-1]
    assert isinstance(finished, Finished) and finished.cancelled
    ckpt = load_checkpoint(finished.last_checkpoint)
    assert (ckpt.epoch, ckpt.data["step"], ckpt.data["epoch_step"]) == (1, 3, 1)

    rest = list(distill(interrupted.replace(resume=str(finished.last_checkpoint))))
    assert _losses(first) + _losses(rest) == expected
    a = load_checkpoint(whole[-1].last_checkpoint).data["model"]
    b = load_checkpoint(rest[-1].last_checkpoint).data["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    # the epoch's training means count the steps before and after the cancel
    assert rest[-1].metrics["train_loss"] == pytest.approx(
        whole[-1].metrics["train_loss"], rel=1e-6
    )


def test_metrics_csv_holds_the_epoch_values(teacher_config: TeacherConfig) -> None:
    events = list(train_teacher(teacher_config.replace(epochs=2, val_limit=4)))
    rows = list(csv.DictReader((Path(teacher_config.out) / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    steps = [e for e in events if isinstance(e, StepMetrics)]
    for row, epoch in zip(rows, (1, 2), strict=True):
        mean = sum(e.losses["loss"] for e in steps if e.epoch == epoch) / 2
        assert float(row["train_loss"]) == pytest.approx(mean, rel=1e-6)
        assert float(row["train_seg"]) > 0 and float(row["train_exist"]) > 0
        f1 = float(row["f1"])  # -1: nothing detected yet (the official convention)
        assert (f1 == -1.0 or 0.0 <= f1 <= 1.0) and float(row["lr"]) > 0
        assert float(row["tp"]) + float(row["fn"]) > 0  # 4 validation images with lanes


def test_run_info_records_code_packages_and_list_hashes(teacher_config: TeacherConfig) -> None:
    from lgad_studio.core.training.provenance import list_hash

    list(train_teacher(teacher_config.replace(val_limit=4)))
    info = json.loads((Path(teacher_config.out) / "run_info.json").read_text())
    from importlib import metadata

    assert info["packages"]["torch"] == metadata.version("torch")
    assert info["train_images"] == 8 and info["val_images"] == 4
    from lgad_studio.core.formats.dataset import open_dataset

    ds = open_dataset(teacher_config.data)
    assert info["train_list_sha256"] == list_hash(ds.entries("train"))
    assert len(info["git"].get("commit", "0" * 40)) == 40


def test_tensorboard_mirrors_the_curves(teacher_config: TeacherConfig) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    list(train_teacher(teacher_config.replace(epochs=2, val_limit=4, tensorboard=True)))
    logs = Path(teacher_config.out) / "tensorboard"
    acc = EventAccumulator(str(logs))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    assert {"train/loss", "train/seg", "train/lr", "epoch/train_loss", "val/f1"} <= tags
    assert [e.step for e in acc.Scalars("epoch/train_loss")] == [2, 4]
    rows = list(csv.DictReader((Path(teacher_config.out) / "metrics.csv").open()))
    values = [e.value for e in acc.Scalars("epoch/train_loss")]
    assert values == pytest.approx([float(r["train_loss"]) for r in rows], rel=1e-5)
