"""Evaluate tab: two real checkpoints, the table against the metric's own output, image review."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.inference import LanePredictor
from lgad_studio.core.metrics.culane import evaluate_culane
from lgad_studio.gui.evaluate.tab import EvaluateTab
from lgad_studio.gui.evaluate.tables import shown_score
from lgad_studio.gui.jobs import JobRunner, live_worker_threads

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import tiny_checkpoints, tiny_demo  # noqa: E402


@pytest.fixture
def tab(qtbot, tmp_path_factory):
    root = tiny_demo(tmp_path_factory)
    runner = JobRunner()
    tab = EvaluateTab(runner)
    qtbot.addWidget(tab)
    tab.resize(1300, 850)
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_dataset(root)
    yield tab
    assert runner.shutdown(30.0)
    assert live_worker_threads() == []


@pytest.fixture
def evaluated(qtbot, tab, tmp_path_factory):
    """The tab after evaluating the LGAD student and the baseline on the test split."""
    paths = tiny_checkpoints(tmp_path_factory, tiny_demo(tmp_path_factory))
    tab.add_checkpoints([paths["lgad"], paths["none"]])
    assert tab.split_combo.currentText() == "test"
    with qtbot.waitSignal(tab.evaluated, timeout=120_000):
        qtbot.mouseClick(tab.evaluate_button, Qt.MouseButton.LeftButton)
    return tab, paths


def _metric_own_output(root: Path, checkpoint: Path) -> dict[str, object]:
    """Per-category and total results computed directly with the metric, not the tab."""
    dataset = open_dataset(root)
    predictor = LanePredictor.from_checkpoint(checkpoint, device="cpu")
    pairs: dict[str, dict] = {}
    for entry in dataset.entries("test"):
        gt = [lane.points for lane in dataset.read_lanes(entry)]
        image = dataset.read_image(entry)
        det = [lane.points for lane in predictor.predict(image).lanes]
        pairs.setdefault(dataset.category(entry), {})[entry] = (gt, det)
        pairs.setdefault("total", {})[entry] = (gt, det)
    return {category: evaluate_culane(p, workers=1) for category, p in pairs.items()}


def test_the_table_matches_the_metric_for_two_checkpoints(evaluated, tmp_path_factory) -> None:
    tab, paths = evaluated
    result = tab.result
    assert [c.checkpoint for c in result.checkpoints] == [paths["lgad"], paths["none"]]
    assert len(result.entries) == 9
    categories = tab.table.categories()
    assert categories[-1] == "total" and len(categories) == 10  # nine CULane categories + total
    assert categories[:3] == ["normal", "crowd", "hlight"]
    for k, name in enumerate(("lgad", "none")):
        expected = _metric_own_output(tiny_demo(tmp_path_factory), paths[name])
        for category in categories:
            scores = expected[category]
            for metric in ("tp", "fp", "fn"):
                assert tab.table.value(category, k, metric) == getattr(scores, metric)
            for metric in ("f1", "precision", "recall"):
                assert tab.table.value(category, k, metric) == pytest.approx(
                    getattr(scores, metric)
                )
                counts = {"tp": scores.tp, "fp": scores.fp, "fn": scores.fn}
                shown = shown_score(metric, getattr(scores, metric), **counts)[0]
                assert tab.table.text(category, k, metric) == shown
    assert tab.table.item(0, 0).text().startswith("LGAD student")
    assert tab.table.item(0, 6).text().startswith("baseline")


def test_images_sort_by_fn_and_show_coloured_lanes_with_iou_on_hover(qtbot, evaluated) -> None:
    tab, _paths = evaluated
    tab.image_list.sort_by("FN", Qt.SortOrder.DescendingOrder)
    order = tab.image_list.entries_in_view_order()
    by_entry = {i.entry: i for i in tab.result.checkpoints[0].images}
    fns = [by_entry[e].result.fn for e in order]
    assert fns == sorted(fns, reverse=True) and len(order) == 9
    model = tab.image_list.model_
    align = Qt.ItemDataRole.TextAlignmentRole
    assert model.data(model.index(0, 0), align) is None  # names left, numbers right
    assert model.data(model.index(0, 5), align) == int(
        (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value
    )
    tab.image_list.sort_by("F1")
    f1s = [by_entry[e].f1 for e in tab.image_list.entries_in_view_order()]
    assert f1s == sorted(f1s)
    # Select the image with the most ground-truth lanes.
    entry = max(order, key=lambda e: len(by_entry[e].result.gt))
    tab.image_list.select_entry(entry)
    assert tab.current_entry() == entry
    # The image is read and matched on the quick lane; the overlay follows.
    qtbot.waitUntil(lambda: entry in tab.entry_label.text(), timeout=30_000)
    result = by_entry[entry].result
    lanes = tab.overlay.lanes()
    roles = [lane.role for lane in lanes]
    assert roles.count("tp") == result.tp and roles.count("fp") == result.fp
    assert roles.count("fn") == result.fn and len(lanes) == len(result.gt) + len(result.det)
    # Hovering the middle of a lane names it and its IoU.
    lane = lanes[0]
    x, y = (float(v) for v in lane.points[len(lane.points) // 2])
    view = tab.overlay.view
    scene_pos = view.mapViewToScene(QPointF(x, y))
    with qtbot.waitSignal(tab.overlay.hover_changed) as hover:
        tab.overlay.graphics.scene().sigMouseMoved.emit(scene_pos)
    assert hover.args[0] == lane.describe() and "IoU" in hover.args[0]
    assert tab.overlay.lane_at(x + 5000, y) is None
    # The probability map is an overlay toggled on and off.
    assert not tab.overlay.prob_item.isVisible()
    tab.overlay.prob_box.setChecked(True)
    assert tab.overlay.prob_item.isVisible()
    assert tab.overlay.prob_item.image.dtype == np.uint8 and tab.overlay.prob_item.image.shape == (
        24,
        64,
    )
    tab.overlay.prob_box.setChecked(False)
    assert not tab.overlay.prob_item.isVisible()
    with qtbot.waitSignal(tab.fix_labels_requested) as fix:
        qtbot.mouseClick(tab.fix_button, Qt.MouseButton.LeftButton)
    assert fix.args == [entry]


def test_switching_checkpoints_shows_the_selected_image_once(qtbot, evaluated, monkeypatch) -> None:
    """The list keeps the selected image across checkpoints and the tab reads it once."""
    tab, _paths = evaluated
    entry = tab.image_list.entries_in_view_order()[3]
    tab.image_list.select_entry(entry)
    qtbot.waitUntil(lambda: entry in tab.entry_label.text(), timeout=30_000)
    submitted = []
    submit = tab.runner.submit

    def counting(name, *args, **kwargs):
        submitted.append(name)
        return submit(name, *args, **kwargs)

    monkeypatch.setattr(tab.runner, "submit", counting)
    with qtbot.waitSignal(tab.entry_shown, timeout=30_000) as shown:
        tab.images_of.setCurrentIndex(1)
    assert shown.args == [entry] and tab.current_entry() == entry
    assert [name for name in submitted if name.startswith("show ")] == [f"show {entry}"]
    tp, fp, fn = tab.result.checkpoints[1].image(entry).counts  # the second checkpoint's lanes
    roles = [lane.role for lane in tab.overlay.lanes()]
    assert (roles.count("tp"), roles.count("fp"), roles.count("fn")) == (tp, fp, fn)


def test_the_attention_grid_of_the_selected_image(qtbot, evaluated) -> None:
    tab, _paths = evaluated
    tab.image_list.selectRow(0)
    with qtbot.waitSignal(tab.attention_shown, timeout=60_000) as shown:
        tab.views.setCurrentWidget(tab.attention)
    maps = shown.args[0]
    assert list(maps.rows) == ["teacher", "LGAD student", "baseline"]
    assert tab.attention.shape() == (3, 3)
    assert tab.attention.stage_names() == ("stage1", "stage2", "stage3")
    assert set(tab.attention.distances()) == {"LGAD student", "baseline"}


def test_user_errors_are_named(qtbot, tab, tmp_path: Path) -> None:
    qtbot.mouseClick(tab.evaluate_button, Qt.MouseButton.LeftButton)
    assert "Check at least one" in tab.errors.label.text()
    foreign = tmp_path / "foreign.pt"
    foreign.write_bytes(b"not a checkpoint")
    tab.add_checkpoints([foreign])
    job = tab.evaluate()
    with qtbot.waitSignal(job.errored, timeout=30_000):
        pass
    assert str(foreign) in tab.errors.label.text()
    assert "not an LGAD Studio checkpoint" in tab.errors.label.text()


def test_fix_labels_opens_the_editor_and_the_next_run_trains_on_the_edit(
    qtbot, make_window, demo_root: Path, monkeypatch, tmp_path: Path
) -> None:
    from trainui_models import FAST

    from lgad_studio.core.formats.culane_lines import read_lines_txt
    from lgad_studio.core.lanes import LaneSet
    from lgad_studio.core.training import TeacherConfig

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # runs go to this test's folder
    window = make_window(demo_root)
    assert [window.tabs.tabText(i) for i in range(3)] == ["Label", "Train", "Evaluate"]
    dataset = open_dataset(demo_root)
    entry = next(e for e in dataset.entries("train") if len(dataset.read_lanes(e)) >= 2)
    window.tabs.setCurrentWidget(window.evaluate_tab)
    window.evaluate_tab.fix_labels_requested.emit(entry)
    assert window.tabs.currentWidget() is window.label_panel
    document = window.label_panel.document
    assert document is not None and document.entry == entry
    edited = LaneSet(document.lanes.lanes[1:], image_size=document.lanes.image_size)
    document.apply(edited, "delete lane")
    assert document.is_dirty
    window.tabs.setCurrentWidget(window.train_tab)
    window.train_tab.teacher_form.set_config(TeacherConfig(**FAST))
    with qtbot.waitSignal(window.jobs.job_submitted) as submitted:
        qtbot.mouseClick(window.train_tab.teacher_form.train_button, Qt.MouseButton.LeftButton)
    # The edit is on disk before the run reads the labels.
    assert not document.is_dirty
    on_disk = read_lines_txt(dataset.lines_path(entry))
    assert len(on_disk) == len(edited) == len(dataset.read_lanes(entry))
    job = submitted.args[0]
    assert Path(job.name.split()[-1]).name.endswith("-teacher")
    assert str(tmp_path / "data") in str(window.train_tab.runs_root)
    with qtbot.waitSignal(job.ended, timeout=60_000):
        job.cancel()


def test_overlay_colours_tp_fp_fn_and_names_the_matched_iou(qtbot) -> None:
    from lgad_studio.core.metrics.culane import evaluate_image
    from lgad_studio.gui.evaluate.overlay import COLOURS, OverlayView

    ys = np.arange(589.0, 300.0, -10.0)
    gt = [np.stack([200 + 0.8 * (589 - ys), ys], 1), np.stack([1400 - 0.8 * (589 - ys), ys], 1)]
    det = [gt[0] + [6.0, 0.0], np.stack([820 + 0 * ys, ys], 1)]  # a hit and a false alarm
    result = evaluate_image(gt, det, image_size=(1640, 590))
    assert result.counts == (1, 1, 1)
    overlay = OverlayView()
    qtbot.addWidget(overlay)
    overlay.resize(900, 400)
    overlay.show()
    qtbot.waitExposed(overlay)
    prob = np.zeros((24, 64), np.uint8)
    overlay.show_image(np.zeros((590, 1640, 3), np.uint8), result, lane_prob=prob)
    roles = {(info.role, info.index): info for info in overlay.lanes()}
    assert set(roles) == {("gt", 0), ("fn", 1), ("tp", 0), ("fp", 1)}
    matched_iou = result.matches[0][2]
    assert roles["tp", 0].iou == pytest.approx(matched_iou) and matched_iou > 0.5
    assert roles["tp", 0].describe() == (f"P1 (prediction): TP, IoU {matched_iou:.3f} with G1")
    assert roles["fp", 1].describe().startswith("P2 (prediction): FP, best IoU")
    assert roles["fn", 1].describe().startswith("G2 (ground truth): FN (missed)")
    pens = {c.opts["pen"].color().name().upper() for c in overlay._curves}
    assert pens == {COLOURS[k].upper() for k in ("tp", "fp", "fn", "gt")}
    x, y = (float(v) for v in roles["fp", 1].points[5])
    assert overlay.lane_at(x, y, tolerance=3.0) is roles["fp", 1]


def test_the_hover_and_the_tooltip_name_the_lane_under_the_cursor(qtbot) -> None:
    """Lanes are named on the image (G1.. left to right); hovering one names that one."""
    from lgad_studio.core.metrics.culane import evaluate_image
    from lgad_studio.gui.evaluate.overlay import OverlayView

    ys = np.arange(589.0, 300.0, -10.0)

    def lane(x_bottom, slope):
        return np.stack([x_bottom + slope * (589 - ys), ys], 1)

    # Ground truth in file order 3rd, 1st, 4th, 2nd from the left; predictions hit all but one.
    gt = [lane(900, -0.3), lane(150, 0.9), lane(1400, -0.9), lane(500, 0.4)]
    det = [gt[1] + [5.0, 0.0], gt[3] + [5.0, 0.0], gt[0] + [5.0, 0.0]]
    result = evaluate_image(gt, det, image_size=(1640, 590))
    overlay = OverlayView()
    qtbot.addWidget(overlay)
    overlay.resize(1000, 420)
    overlay.show()
    qtbot.waitExposed(overlay)
    overlay.show_image(np.zeros((590, 1640, 3), np.uint8), result)
    names = {(i.role in ("gt", "fn"), i.index): i.name for i in overlay.lanes()}
    assert [names[True, i] for i in range(4)] == ["G3", "G1", "G4", "G2"]
    assert [names[False, j] for j in range(3)] == ["P1", "P2", "P3"]
    written = overlay.label_positions()
    assert set(written) == {"G1", "G2", "G3", "G4", "P1", "P2", "P3"}
    assert written["G3"] == pytest.approx((900.0, 589.0))  # at that lane's lower end
    for index, expected in ((0, "G3 (ground truth): found by P3"), (2, "G4 (ground truth): FN")):
        x, y = (float(v) for v in gt[index][len(ys) // 2])
        scene_pos = overlay.view.mapViewToScene(QPointF(x, y))
        with qtbot.waitSignal(overlay.hover_changed) as hover:
            overlay.graphics.scene().sigMouseMoved.emit(scene_pos)
        assert hover.args[0].startswith(expected)
        assert overlay.graphics.toolTip() == hover.args[0] == overlay.hover_label.text()
    assert all(not curve.toolTip() for curve in overlay._curves)  # no competing item tooltips


def test_the_next_image_reuses_the_lane_items_and_hides_those_it_does_not_need(qtbot) -> None:
    """Items are pooled (making them cost most of a switch): a smaller image hides the rest,
    and what is shown, named and hovered is that image's lanes only."""
    from lgad_studio.core.metrics.culane import evaluate_image
    from lgad_studio.gui.evaluate.overlay import COLOURS, OverlayView

    ys = np.arange(589.0, 300.0, -10.0)
    lanes = [
        np.stack([x + s * (589 - ys), ys], 1) for x, s in ((150, 0.9), (600, 0.3), (1400, -0.9))
    ]
    many = evaluate_image(
        lanes, [lanes[0] + [4.0, 0.0], lanes[2] + [4.0, 0.0]], image_size=(1640, 590)
    )
    few = evaluate_image(lanes[1:2], [], image_size=(1640, 590))
    overlay = OverlayView()
    qtbot.addWidget(overlay)
    overlay.resize(900, 400)
    overlay.show()
    qtbot.waitExposed(overlay)
    image = np.zeros((590, 1640, 3), np.uint8)
    overlay.show_image(image, many)
    items = len(overlay.view.addedItems)
    overlay.show_image(image, few)
    assert len(overlay.view.addedItems) == items  # nothing made, nothing leaked
    (only,) = overlay.lanes()
    assert (only.role, only.name) == ("fn", "G1")
    assert overlay.label_positions() == {"G1": pytest.approx((600.0, 589.0))}
    shown = [c for c in overlay._curve_pool if c.isVisible()]
    assert shown == overlay._curves and len(shown) == 1
    assert shown[0].opts["pen"].color().name().upper() == COLOURS["fn"].upper()
    assert sum(label.isVisible() for label in overlay._label_pool) == 1
    x, y = (float(v) for v in lanes[0][len(ys) // 2])
    assert overlay.lane_at(x, y, tolerance=3.0) is None  # the first image's lane is gone
    overlay.show_image(image, many)
    assert len(overlay.lanes()) == 5 and len(overlay.view.addedItems) == items
    assert overlay.lane_at(x, y, tolerance=3.0).name == "G1"


def test_a_model_that_found_nothing_scores_zero_not_a_dash(qtbot, tmp_path) -> None:
    from lgad_studio.core.evaluation.packed import PackedLanes
    from lgad_studio.core.evaluation.result import CheckpointInfo, EvaluationResult
    from lgad_studio.gui.evaluate.tables import CategoryTable, ImageList

    # a.jpg (normal): one ground-truth lane, nothing detected (TP 0, FP 0, FN 1);
    # b.jpg (cross): nothing to find and nothing found
    nothing = PackedLanes(
        np.zeros((0, 2), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int8),
        np.zeros(2, np.int64),
    )  # fmt: skip
    result = EvaluationResult(
        dataset_root=tmp_path, split="test", entries=["a.jpg", "b.jpg"],
        categories=["normal", "cross"], image_sizes=np.tile([1640, 590], (2, 1)),
        infos=[CheckpointInfo(tmp_path / "best.pt", "baseline · x", "none")],
        counts=[np.array([[0, 0, 1], [0, 0, 0]])], lanes=[nothing],
    )  # fmt: skip
    evaluation = result.checkpoints[0]
    table = CategoryTable()
    qtbot.addWidget(table)
    table.set_result(result)
    for metric in ("f1", "precision", "recall"):
        assert table.text("normal", 0, metric) == "0.0"
        assert table.text("total", 0, metric) == "0.0"
    assert table.value("total", 0, "f1") == -1.0  # the exact official value is kept
    cell = table.item(table.categories().index("total") + 1, 0)
    assert "-1" in cell.toolTip() and "No lanes were detected" in cell.toolTip()
    assert table.text("cross", 0, "f1") == "–"  # nothing to find, nothing found: undefined
    images_list = ImageList()
    qtbot.addWidget(images_list)
    images_list.set_evaluation(evaluation)
    model = images_list.model_
    f1_cells = {model.index(r, 0).data(): model.index(r, 2).data() for r in range(2)}
    assert f1_cells == {"a.jpg": "0.0", "b.jpg": "–"}
