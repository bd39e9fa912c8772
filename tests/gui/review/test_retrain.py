"""Closing the loop (issue 12, item 5): one click trains on the corrected labels, and the run
history shows which labels each run trained on (run_info.json's label hash)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1]))
from review_models import image_proposals, write_run  # noqa: E402
from trainui_models import FAST  # noqa: E402

from lgad_studio.core.formats.dataset import open_dataset  # noqa: E402
from lgad_studio.core.lanes import Lane  # noqa: E402
from lgad_studio.core.training import StudentConfig, TeacherConfig  # noqa: E402
from lgad_studio.core.training.provenance import label_files_sha256  # noqa: E402
from lgad_studio.gui.train.history import LABELS_DIGITS  # noqa: E402

SKY = Lane([[200.0, 230.0], [700.0, 80.0]])


def _labels_hash(root: Path, config: dict) -> str:
    from lgad_studio.core.training.setup import validation_subset

    dataset = open_dataset(root)
    val = validation_subset(dataset.entries("val"), config["val_limit"], config["val_seed"])
    return label_files_sha256(dataset, dataset.entries("train") + val)[0]


def _history_row(tab, record):
    tree = tab.history.tree
    for i in range(tree.topLevelItemCount()):
        if tree.topLevelItem(i).text(0) == record.name:
            return tree.topLevelItem(i)
    raise AssertionError(f"{record.name} not in the history")


def test_one_click_trains_a_student_on_the_accepted_labels_and_the_history_names_them(
    make_window, demo_root, driver, qtbot, tmp_path
) -> None:
    entry = open_dataset(demo_root).entries("train")[0]
    write_run(demo_root, [image_proposals(entry, [SKY])])
    window = make_window(demo_root)
    panel, tab = window.label_panel, window.train_tab
    tab.set_runs_root(tmp_path / "runs")
    tab.student_form.set_config(StudentConfig(**{**FAST, "mode": "none", "teacher": None}))
    driver(panel.canvas).key(Qt.Key.Key_Return)  # accept the proposal: unsaved
    assert panel.document.is_dirty
    with qtbot.waitSignal(tab.run_ended, timeout=120_000) as ended:
        panel.actions["retrain_student"].trigger()
        assert window.tabs.currentWidget() is tab
    record = ended.args[0]
    assert record.state == "finished" and record.kind == "none"
    saved = open_dataset(demo_root).read_lanes(entry)
    assert saved[-1].points.tolist() == SKY.points.tolist()  # saved before the run read it
    assert record.labels_sha == _labels_hash(demo_root, record.config)
    row = _history_row(tab, record)
    assert row.text(4) == record.labels_sha[:LABELS_DIGITS]
    assert record.labels_sha in row.toolTip(4)


def test_a_retrained_lgad_student_takes_the_newest_teacher(make_window, demo_root, qtbot, tmp_path):
    window = make_window(demo_root)
    panel, tab = window.label_panel, window.train_tab
    tab.set_runs_root(tmp_path / "runs")
    tab.teacher_form.set_config(TeacherConfig(**FAST))
    with qtbot.waitSignal(tab.run_ended, timeout=120_000) as ended:
        panel.actions["retrain_teacher"].trigger()
    teacher = ended.args[0]
    assert teacher.is_teacher and teacher.labels_sha is not None
    tab.student_form.set_config(StudentConfig(**{**FAST, "mode": "lgad", "teacher": None}))
    with qtbot.waitSignal(tab.run_ended, timeout=120_000) as ended:
        panel.actions["retrain_student"].trigger()
    student = ended.args[0]
    assert student.kind == "lgad" and student.state == "finished"
    assert student.config["teacher"] == str(teacher.best_checkpoint())
    assert student.labels_sha == teacher.labels_sha  # the same labels: the same digits
