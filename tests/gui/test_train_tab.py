"""Train tab: a real teacher run to completion, a distill run cancelled mid-way, history, curves."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.events import EpochEnd, Finished, StepMetrics
from lgad_studio.core.training import StudentConfig, TeacherConfig
from lgad_studio.gui.eta import EtaEstimator, format_duration
from lgad_studio.gui.jobs import JobState
from lgad_studio.gui.train.curves import GrowingSeries, LiveCurves
from lgad_studio.gui.train.runs import scan_runs

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import FAST, tiny_checkpoints, tiny_demo  # noqa: E402
from trainui_models import click as _click  # noqa: E402


def test_a_teacher_run_goes_to_completion(qtbot, make_tab, tmp_path_factory) -> None:
    tab = make_tab()
    assert not tab.teacher_form.train_button.isEnabled()  # no dataset yet
    tab.set_dataset(tiny_demo(tmp_path_factory))
    tab.teacher_form.set_config(TeacherConfig(**{**FAST, "epochs": 2, "val_limit": 2}))
    with qtbot.waitSignal(tab.runner.job_submitted) as submitted:
        _click(qtbot, tab.teacher_form.train_button)
    job = submitted.args[0]
    events: list[object] = []
    job.event_emitted.connect(events.append)
    with qtbot.waitSignal(tab.run_ended, timeout=120_000) as ended:
        pass
    record = ended.args[0]
    assert job.state is JobState.FINISHED and tab.last_error is None
    assert record.kind == "teacher" and record.state == "finished"
    names = [p.name for p in record.checkpoints()]
    assert "last.pt" in names and names[0] == ("best.pt" if "best.pt" in names else "last.pt")
    assert load_checkpoint(record.run_dir / "last.pt", kind="teacher").epoch == 2
    assert isinstance(events[-1], Finished) and not events[-1].cancelled
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [1, 2] and "f1" in epochs[-1].metrics
    # The curves hold every named loss of every step the engine reported.
    assert {"loss", "seg", "exist"} <= set(tab.curves.loss_names())
    steps, values = tab.curves.series("loss")
    assert len(steps) >= 2 and np.all(np.diff(steps) > 0) and np.all(values > 0)
    assert len(tab.curves.series("val/f1")[0]) == 2
    assert tab.progress.bar.value() == tab.progress.bar.maximum() > 0
    assert "finished" in tab.progress.eta_text()
    # The history row offers the checkpoint as the student's teacher.
    tab.history.select_checkpoint(record.best_checkpoint())
    assert tab.history.teacher_button.isEnabled() and not tab.history.onnx_button.isEnabled()
    _click(qtbot, tab.history.teacher_button)
    assert tab.student_form.teacher.text() == str(record.best_checkpoint())


def test_a_distill_run_cancelled_midway_leaves_a_loadable_checkpoint(
    qtbot, make_tab, tmp_path_factory
) -> None:
    root = tiny_demo(tmp_path_factory)
    teacher = tiny_checkpoints(tmp_path_factory, root)["teacher"]
    tab = make_tab()
    tab.set_dataset(root)
    config = StudentConfig(
        **{**FAST, "epochs": 500, "val_limit": 1, "preview_interval_s": 0.05}, mode="lgad"
    )
    tab.student_form.set_config(config)
    tab.student_form.set_teacher(teacher)
    with qtbot.waitSignal(tab.runner.job_submitted) as submitted:
        _click(qtbot, tab.student_form.distill_button)
    job = submitted.args[0]
    events: list[object] = []
    job.event_emitted.connect(events.append)
    qtbot.waitUntil(lambda: tab.preview.shape() == (2, 3), timeout=60_000)  # built at start
    # A real preview arrives: the teacher's and the student's maps, and their distance.
    qtbot.waitUntil(lambda: bool(tab.preview.distances()), timeout=60_000)
    assert tab.preview.row_names() == ("teacher", "student")
    assert set(tab.preview.distances()) == {"student"}
    assert tab.preview.heat_image(1, 0) is not None
    qtbot.waitUntil(lambda: any(isinstance(e, StepMetrics) for e in events), timeout=60_000)
    with qtbot.waitSignal(job.cancelled, timeout=60_000):
        _click(qtbot, tab.cancel_button)
    finished = [e for e in events if isinstance(e, Finished)]
    assert finished and finished[-1].cancelled
    last = finished[-1].last_checkpoint
    assert last is not None and last.name == "last.pt"
    ckpt = load_checkpoint(last, kind="student")
    assert ckpt.config["mode"] == "lgad" and ckpt.epoch < 500
    ckpt.build_model()  # the weights fit the network
    record = tab.history.record(last.parent)
    assert record is not None and record.state == "cancelled" and record.label == "LGAD student"
    # The bar no longer reads as a run in progress, and the line says what was kept.
    assert tab.progress.bar.text() == "" and tab.progress.bar.value() < tab.progress.bar.minimum()
    text = tab.progress.label.text()
    assert "cancelled at step" in text and "Kept last.pt" in text and str(last.parent) in text


def test_invalid_settings_are_reported_without_starting_a_job(qtbot, make_tab, tmp_path) -> None:
    tab = make_tab()
    tab.set_dataset(tmp_path)
    tab.student_form.set_mode("lgad")
    tab.student_form.teacher.setText("")
    submitted: list[object] = []
    tab.runner.job_submitted.connect(submitted.append)
    _click(qtbot, tab.student_form.distill_button)
    assert submitted == []
    assert tab.errors.isVisible()
    assert "field 'teacher'" in tab.errors.label.text()
    tab.student_form.set_mode("none")
    assert not tab.student_form.teacher.isEnabled()
    assert not any(box.isEnabled() for box in tab.student_form.stage_boxes.values())


def test_a_failing_run_shows_its_message_and_traceback(qtbot, make_tab, tmp_path) -> None:
    tab = make_tab()
    tab.set_dataset(tmp_path / "no-such-dataset")
    with qtbot.waitSignal(tab.runner.job_submitted) as submitted:
        _click(qtbot, tab.teacher_form.train_button)
    with qtbot.waitSignal(submitted.args[0].errored, timeout=30_000):
        pass
    assert "no-such-dataset" in tab.errors.label.text()
    assert tab.errors.details_button.isVisible()
    box = tab.errors.show_details()
    assert "Traceback" in box.detailedText()
    box.close()
    record = tab.history.records()[-1]
    assert record.state == "failed"


def test_history_lists_runs_on_disk_and_exports_them(
    qtbot, make_tab, tmp_path_factory, tmp_path
) -> None:
    checkpoints = tiny_checkpoints(tmp_path_factory, tiny_demo(tmp_path_factory))
    runs_root = checkpoints["teacher"].parent.parent
    assert {r.kind for r in scan_runs(runs_root)} == {"teacher", "lgad", "none", "sad"}
    tab = make_tab(runs_root)
    labels = sorted(r.label for r in tab.history.records())
    assert labels == ["LGAD student", "SAD student", "baseline", "teacher"]
    student = checkpoints["lgad"]
    tab.history.select_checkpoint(student)
    assert tab.history.selected_checkpoints() == [student]
    assert tab.history.onnx_button.isEnabled() and not tab.history.teacher_button.isEnabled()
    with qtbot.waitSignal(tab.evaluate_requested) as evaluate:
        _click(qtbot, tab.history.evaluate_button)
    assert evaluate.args == [[student]]
    copy = tab.export_checkpoint(student, tmp_path / "out" / "student.pt")
    assert load_checkpoint(copy, kind="student").arch == "enet"
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    job = tab.export_onnx(student, tmp_path / "out" / "student.onnx")
    with qtbot.waitSignal(job.finished, timeout=120_000) as done:
        pass
    assert done.args[0] == tmp_path / "out" / "student.onnx"
    assert (tmp_path / "out" / "student.onnx").stat().st_size > 1000


def test_curves_buffer_every_step_and_repaint_from_a_timer(qtbot) -> None:
    series = GrowingSeries(capacity=2)
    series.extend(np.arange(5.0), np.arange(5.0) * 2)
    x, y = series.view()
    assert len(series) == 5 and list(y) == [0, 2, 4, 6, 8]
    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.show()
    qtbot.waitExposed(curves)
    steps = [
        StepMetrics(
            step=i,
            epoch=1,
            total_steps=9,
            losses={"loss": 1 / i, "at": 0.0},
            lr=0.1,
            images_per_s=1,
        )
        for i in range(1, 10)
    ]
    before = curves.repaints
    curves.add_steps(steps)  # 9 steps -> one repaint on the next tick, not nine
    qtbot.waitUntil(lambda: curves.repaints == before + 1, timeout=2000)
    qtbot.wait(200)
    assert curves.repaints == before + 1
    assert list(curves.series("loss")[0]) == list(range(1, 10))
    assert "at" not in curves.loss_names()  # zero cannot be drawn on the log axis
    curves.add_epoch(EpochEnd(epoch=1, total_epochs=2, metrics={"f1": 0.5, "precision": -1.0}))
    assert list(curves.series("val/f1")[1]) == [0.5]
    # Nothing detected yet: F1 is undefined (-1) but with ground truth it is plotted as 0.
    curves.add_epoch(EpochEnd(epoch=2, total_epochs=2, metrics={"f1": -1.0, "recall": 0.0}))
    assert list(curves.series("val/f1")[1]) == [0.5, 0.0]
    with pytest.raises(KeyError):
        curves.series("val/precision")  # -1 (undefined) is not plotted


def test_eta_from_the_rate_since_the_first_report() -> None:
    eta = EtaEstimator()
    assert eta.remaining_s(100) is None
    eta.update(10, now=100.0)
    eta.update(30, now=110.0)  # 20 steps in 10 s
    assert eta.remaining_s(100) == pytest.approx(35.0)
    assert format_duration(35.0) == "0:35" and format_duration(3725) == "1:02:05"


def test_form_choices_are_the_engines() -> None:
    from lgad_studio.core.models import ARCHITECTURES, STAGE_NAMES
    from lgad_studio.gui.train import forms

    assert set(forms.ARCHITECTURES) == set(ARCHITECTURES)
    assert forms.STAGE_NAMES == STAGE_NAMES


def _scripted_job(events):
    """An engine stand-in: a job factory that yields ``events`` (a run that learned nothing)."""

    def factory(config):
        def make(cancel):
            yield from events(config)

        return make

    return factory


def test_a_run_that_ends_with_f1_zero_is_flagged(qtbot, make_tab, tmp_path, monkeypatch) -> None:
    from lgad_studio.core.events import CheckpointWritten
    from lgad_studio.gui.train import tab as tab_module

    def nothing_found(config):
        out = Path(config.out)
        out.mkdir(parents=True)
        (out / "config.json").write_text(config.to_json())
        (out / "last.pt").write_bytes(b"weights")
        yield StepMetrics(1, 1, 1, {"loss": 1.0}, 0.01, 5.0)
        yield CheckpointWritten(out / "last.pt", 1, False)
        metrics = {"f1": -1.0, "precision": -1.0, "recall": 0.0}  # the official -1: no detections
        yield EpochEnd(1, 1, metrics)
        yield Finished(out, out / "last.pt", None, metrics)

    monkeypatch.setattr(tab_module, "teacher_job", _scripted_job(nothing_found))
    tab = make_tab()
    tab.set_dataset(tmp_path)
    with qtbot.waitSignal(tab.run_ended, timeout=30_000) as ended:
        _click(qtbot, tab.teacher_form.train_button)
    record = ended.args[0]
    assert record.state == "finished" and record.best_f1 == 0.0
    assert tab.errors.isVisible() and tab.errors.level == "warning"
    text = tab.errors.label.text()
    assert "validation F1 0" in text and "too small" in text and "pointless" in text
    row = tab.history._items[record.run_dir]
    assert row.text(3) == "0.000"  # shown as 0, not as "not computed"
    # Choosing it as the teacher warns again.
    tab.errors.clear()
    tab.history.select_checkpoint(record.run_dir / "last.pt")
    _click(qtbot, tab.history.teacher_button)
    assert tab.student_form.teacher.text() == str(record.run_dir / "last.pt")
    assert "learns nothing" in tab.errors.label.text()


def test_presets_fill_the_forms_and_runs_are_named_as_the_window_says(
    qtbot, make_tab, tmp_path, monkeypatch
) -> None:
    from lgad_studio.core.presets import load_preset
    from lgad_studio.gui.train import tab as tab_module

    tab = make_tab()
    names = [tab.options.preset_box.itemText(i) for i in range(tab.options.preset_box.count())]
    assert (
        names == ["default", "quick", "gpu"] and tab.options.preset_box.currentText() == "default"
    )
    default = load_preset("default")
    assert tab.teacher_form.fields.epochs.value() == default["teacher"]["epochs"]
    assert tab.student_form.fields.epochs.value() == default["student"]["epochs"]
    tab.student_form.set_mode("none")
    tab.options.preset_box.setCurrentText("quick")
    quick = load_preset("quick")
    config = tab.student_form.config(data="d", out="o")
    assert config.mode == "none"  # the preset sets the budget, not what is trained
    assert (config.epochs, config.width, config.train_limit) == (5, 0.25, 200)
    assert tab.teacher_form.config(data="d", out="o").epochs == quick["teacher"]["epochs"]
    tab.options.preset_box.setCurrentText("default")  # nothing of "quick" stays behind
    assert tab.student_form.config(data="d", out="o").train_limit is None
    assert tab.teacher_form.config(data="d", out="o").train_limit is None
    tab.options.preset_box.setCurrentText("quick")

    def started(config):
        yield Finished(Path(config.out), None, None, {})

    monkeypatch.setattr(tab_module, "distill_job", _scripted_job(started))
    tab.set_dataset(tmp_path)
    tab.options.run_name.setText("first try!")
    with qtbot.waitSignal(tab.run_ended, timeout=30_000) as ended:
        _click(qtbot, tab.student_form.distill_button)
    name = ended.args[0].run_dir.name
    assert name.endswith("-baseline-first-try") and "-none" not in name
    assert ended.args[0].run_dir.parent == tab.runs_root


def test_the_runs_folder_is_shown_and_browsed(
    qtbot, make_tab, tmp_path_factory, tmp_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    checkpoints = tiny_checkpoints(tmp_path_factory, tiny_demo(tmp_path_factory))
    other = checkpoints["teacher"].parent.parent
    tab = make_tab(tmp_path / "empty-runs")
    assert tab.options.runs_folder.text() == str(tmp_path / "empty-runs")
    assert tab.history.records() == []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(other))
    with qtbot.waitSignal(tab.runs_root_changed) as changed:
        _click(qtbot, tab.options.browse_button)
    assert changed.args == [other] and tab.runs_root == other
    assert tab.options.runs_folder.text() == str(other)
    assert sorted(r.label for r in tab.history.records()) == [
        "LGAD student", "SAD student", "baseline", "teacher",
    ]  # fmt: skip


def test_loss_curves_have_distinct_colours_an_outside_legend_and_readable_ticks(qtbot) -> None:
    from lgad_studio.gui.train.curves import MIN_LABEL_GAP_PX, log_ticks

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 300)
    curves.show()
    qtbot.waitExposed(curves)
    names = ["loss", "seg", "exist", "at", "lambda", "at_stage1", "at_stage2", "at_stage3"]
    curves.prepare(names)
    colours = [curves.curve_colour("loss", n) for n in names]
    assert len(set(colours)) == len(names) == 8
    assert curves.losses_plot.plotItem.legend is None  # nothing drawn over the data
    legend = curves.legends["loss"]
    assert [n for n, box in legend.boxes.items() if box.isVisible()] == names
    steps = [
        StepMetrics(i, 1, 50, {n: 0.02 + 3.0 / i for n in names}, 0.1, 1.0) for i in range(1, 6)
    ]
    curves.add_steps(steps)
    curves.repaint_now()
    item = curves._items[("loss", "seg")]
    legend.boxes["seg"].click()
    assert not item.isVisible()
    legend.boxes["seg"].click()
    assert item.isVisible()
    # The log axis: every pair of labelled ticks at least a line of text apart, on screen.
    axis = curves.losses_plot.getAxis("left")
    lo, hi = curves.losses_plot.viewRange()[1]
    px_per_unit = axis.height() / (hi - lo)
    labelled = sorted(v for level in axis._tickLevels for v, text in level if text)
    assert len(labelled) >= 2
    assert min(np.diff(labelled)) * px_per_unit >= MIN_LABEL_GAP_PX
    for height in (60, 120, 400):
        for span in ((-1.0, 1.0), (-3.0, 1.0), (-6.0, 2.0), (0.0, 1.0)):
            ticks = sorted(v for level in log_ticks(*span, height) for v, t in level if t)
            gaps = np.diff(ticks) * height / (span[1] - span[0])
            assert len(ticks) >= 1 and (len(gaps) == 0 or gaps.min() >= MIN_LABEL_GAP_PX)
