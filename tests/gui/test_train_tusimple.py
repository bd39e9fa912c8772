"""The Train tab trains on a TuSimple dataset: its train and val splits come from the
validation convention, and validation decodes on the records' h_samples."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

from lgad_studio.cli import main
from lgad_studio.core.events import EpochEnd
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training import TeacherConfig
from lgad_studio.gui.jobs import JobRunner, JobState
from lgad_studio.gui.train import TrainTab

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import FAST  # noqa: E402


def test_a_teacher_run_on_a_tusimple_dataset(qtbot, demo_root: Path, tmp_path: Path) -> None:
    tus = tmp_path / "tusimple"
    assert main(["convert", "--from", "culane", "--to", "tusimple", str(demo_root), str(tus)]) == 0
    assert open_dataset(tus).split_names() == ["train", "val", "test"]
    runner = JobRunner()
    tab = TrainTab(runner, runs_root=tmp_path / "runs")
    qtbot.addWidget(tab)
    try:
        tab.set_dataset(tus)
        tab.teacher_form.set_config(TeacherConfig(**{**FAST, "val_limit": 2}))
        with qtbot.waitSignal(runner.job_submitted) as submitted:
            qtbot.mouseClick(tab.teacher_form.train_button, Qt.MouseButton.LeftButton)
        job = submitted.args[0]
        events: list[object] = []
        job.event_emitted.connect(events.append)
        with qtbot.waitSignal(tab.run_ended, timeout=120_000) as ended:
            pass
        assert job.state is JobState.FINISHED and tab.last_error is None
        assert ended.args[0].state == "finished"
        (epoch,) = [e for e in events if isinstance(e, EpochEnd)]
        assert epoch.metrics["tp"] + epoch.metrics["fn"] > 0  # the val lanes were scored
    finally:
        assert runner.shutdown(30.0)
