"""The training generator: events, cancellation, checkpoints, resume, the frozen teacher."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import torch

from lgad_studio.core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from lgad_studio.core.events import CheckpointWritten, EpochEnd, Finished, Preview, StepMetrics
from lgad_studio.core.training import (
    ConfigError,
    StudentConfig,
    TeacherConfig,
    distill,
    train_teacher,
)


@pytest.fixture(autouse=True)
def every_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """An event per step: these tests count steps. The loop throttles step events to one
    per ``STEP_EVENT_INTERVAL_S`` (one host sync each), so on a fast machine short steps
    would be merged (see ``test_step_events_are_throttled_but_every_epoch_ends_with_one``)."""
    from lgad_studio.core.training import loop

    monkeypatch.setattr(loop, "STEP_EVENT_INTERVAL_S", 0.0)


def _events(gen) -> list:
    return list(gen)


def test_step_events_are_throttled_but_every_epoch_ends_with_one(
    teacher_config: TeacherConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lgad_studio.core.training import loop

    monkeypatch.setattr(loop, "STEP_EVENT_INTERVAL_S", 1e9)
    events = _events(train_teacher(teacher_config.replace(epochs=2)))
    steps = [(e.epoch, e.step) for e in events if isinstance(e, StepMetrics)]
    assert steps == [(1, 2), (2, 4)]  # 2 steps per epoch: only each epoch's last step
    rows = (Path(teacher_config.out) / "metrics.csv").read_text().splitlines()
    assert len(rows) == 3  # the epoch rows still hold every epoch


def test_teacher_run_yields_events_and_writes_run_folder(teacher_config: TeacherConfig) -> None:
    events = _events(train_teacher(teacher_config.replace(epochs=2)))
    kinds = [type(e).__name__ for e in events]
    assert kinds[-1] == "Finished" and kinds.count("EpochEnd") == 2
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert steps[0].step == 1 and steps[-1].step == steps[-1].total_steps == 4  # 8 images / 4
    assert {"loss", "seg", "exist"} <= set(steps[0].losses)
    run = Path(teacher_config.out)
    assert TeacherConfig.load(run / "config.json") == teacher_config.replace(epochs=2)
    rows = (run / "metrics.csv").read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith("epoch,step")
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert {r["type"] for r in records} == {"step", "epoch"}
    finished = events[-1]
    assert isinstance(finished, Finished) and not finished.cancelled
    ckpt = load_checkpoint(finished.last_checkpoint, kind="teacher", arch="enet")
    assert ckpt.epoch == 2 and ckpt.config["encoding"] == "onehot"
    assert ckpt.build_model()(torch.zeros(1, 5, 24, 64)).seg.shape == (1, 5, 24, 64)


def test_cancel_stops_within_one_step(student_config: StudentConfig) -> None:
    cancel = threading.Event()
    gen = distill(student_config.replace(epochs=3), cancel=cancel)
    first = next(e for e in gen if isinstance(e, StepMetrics))
    cancel.set()
    rest = list(gen)
    assert not any(isinstance(e, StepMetrics) for e in rest)
    finished = rest[-1]
    assert isinstance(finished, Finished) and finished.cancelled
    assert any(isinstance(e, CheckpointWritten) for e in rest)
    ckpt = load_checkpoint(finished.last_checkpoint, kind="student")
    assert ckpt.data["step"] == first.step  # the state after the last step taken


def test_resume_continues_from_checkpoint(student_config: StudentConfig) -> None:
    first = _events(distill(student_config.replace(mode="none", epochs=1)))[-1]
    resumed = student_config.replace(mode="none", epochs=2, resume=str(first.last_checkpoint))
    events = _events(distill(resumed))
    epochs = [e.epoch for e in events if isinstance(e, EpochEnd)]
    assert epochs == [2]
    steps = [e.step for e in events if isinstance(e, StepMetrics)]
    assert steps[0] == 3  # 2 steps per epoch already done


def test_resume_refuses_other_architecture(student_config: StudentConfig) -> None:
    first = _events(distill(student_config.replace(mode="none")))[-1]
    other = student_config.replace(mode="none", arch="erfnet", resume=str(first.last_checkpoint))
    with pytest.raises(CheckpointError, match="'arch' is 'enet', expected a erfnet"):
        _events(distill(other))


def test_lgad_teacher_stays_frozen_and_previews_both_rows(
    student_config: StudentConfig, teacher_checkpoint: Path
) -> None:
    before = load_checkpoint(teacher_checkpoint).data["model"]
    events = _events(distill(student_config.replace(val_limit=2, preview_interval_s=1e-6)))
    # validation needs decode + metrics; skip the comparison of F1 here, only the teacher matters
    previews = [e for e in events if isinstance(e, Preview)]
    assert previews and set(previews[0].attention) == {"student", "teacher"}
    assert previews[0].stages == ("stage1", "stage2", "stage3")
    assert previews[0].image.dtype.name == "uint8" and previews[0].image.shape == (24, 64, 3)
    maps = previews[0].attention["teacher"]
    assert all(m.dtype.name == "float32" and m.min() >= 0.0 and m.max() <= 1.0 for m in maps)
    after = load_checkpoint(teacher_checkpoint).data["model"]
    assert all(torch.equal(before[k], after[k]) for k in before)
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert {"at", "at_stage1", "at_stage2", "at_stage3", "lambda"} <= set(steps[0].losses)


def test_seeded_runs_are_deterministic(student_config: StudentConfig, tmp_path: Path) -> None:
    a = _events(
        distill(student_config.replace(mode="sad", out=str(tmp_path / "a"), at_start_epoch=0.0))
    )
    b = _events(
        distill(student_config.replace(mode="sad", out=str(tmp_path / "b"), at_start_epoch=0.0))
    )
    la = [e.losses["loss"] for e in a if isinstance(e, StepMetrics)]
    lb = [e.losses["loss"] for e in b if isinstance(e, StepMetrics)]
    assert la == lb


def test_config_json_round_trip_and_errors(tmp_path: Path) -> None:
    config = StudentConfig(data="x", mode="sad", stages=("stage2",), input_size=(320, 96))
    back = StudentConfig.from_json(config.to_json())
    assert back == config and isinstance(back.input_size, tuple)
    with pytest.raises(
        ConfigError, match="field 'type' is 'StudentConfig', expected 'TeacherConfig'"
    ):
        TeacherConfig.from_json(config.to_json())
    bad = tmp_path / "config.json"
    bad.write_text('{"type": "StudentConfig", "mode": "lgad", "teacher": "t.pt", "lr_max": 1}')
    with pytest.raises(ConfigError, match=r"config.json: unknown field\(s\) \['lr_max'\]"):
        StudentConfig.load(bad)
    with pytest.raises(ConfigError, match="'teacher' is empty"):
        distill(StudentConfig(data="x", mode="lgad"))
    with pytest.raises(ConfigError, match="'input_size' is \\(100, 72\\)"):
        train_teacher(TeacherConfig(data="x", input_size=(100, 72)))


def test_foreign_checkpoints_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.pt"
    text.write_text("hello")
    with pytest.raises(CheckpointError, match="notes.pt: not an LGAD Studio checkpoint"):
        load_checkpoint(text)
    plain = tmp_path / "plain.pt"
    torch.save({"state_dict": {"w": torch.zeros(1)}}, plain)
    with pytest.raises(CheckpointError, match="plain.pt: not an LGAD Studio checkpoint"):
        load_checkpoint(plain)
    pickled = tmp_path / "pickled.pt"
    torch.save({"obj": threading.Lock}, pickled)
    with pytest.raises(CheckpointError, match="weights_only"):
        load_checkpoint(pickled)
    missing = tmp_path / "missing.pt"
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_checkpoint(missing)
    ours = save_checkpoint(
        tmp_path / "t.pt",
        {
            "kind": "teacher",
            "arch": "enet",
            "model": {},
            "config": {},
            "in_channels": 5,
            "width": 0.25,
        },
    )
    with pytest.raises(CheckpointError, match="'kind' is 'teacher', expected a student"):
        load_checkpoint(ours, kind="student")


def test_student_input_size_must_match_teacher(student_config: StudentConfig) -> None:
    with pytest.raises(ConfigError, match="input size \\[64, 24\\].*\\[128, 24\\]"):
        _events(distill(student_config.replace(input_size=(128, 24))))
