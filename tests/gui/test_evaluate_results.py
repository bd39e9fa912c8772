"""Evaluate tab: saved results open as a job, a CULane-size list sorts in arrays, and the
attention grid's PNG export is the core renderer's picture."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt

from lgad_studio.core.attention_render import render_attention_grid
from lgad_studio.core.evaluation.job import evaluate_checkpoints
from lgad_studio.core.evaluation.packed import PackedLanes
from lgad_studio.core.evaluation.result import CheckpointInfo, EvaluationResult
from lgad_studio.gui.attention import AttentionGrid
from lgad_studio.gui.evaluate.tab import EvaluateTab
from lgad_studio.gui.evaluate.tables import ImageList
from lgad_studio.gui.jobs import JobRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "evaluation"))
from models import constant_student  # noqa: E402


def _result_of(job):
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value


def test_a_saved_result_opens_and_shows_its_images(qtbot, demo_root: Path, tmp_path: Path) -> None:
    checkpoint = constant_student(tmp_path / "constant.pt")
    result = _result_of(
        evaluate_checkpoints(demo_root, "test", [checkpoint], device="cpu", threads=1)
    )
    saved = result.save(tmp_path / "eval.npz")
    runner = JobRunner()
    tab = EvaluateTab(runner)
    qtbot.addWidget(tab)
    try:
        tab.set_dataset(demo_root)
        with qtbot.waitSignal(tab.evaluated, timeout=30_000) as opened:
            tab.open_result(saved)
        loaded = opened.args[0]
        assert loaded.entries == result.entries and tab.result is loaded
        assert tab.progress.bar.value() == tab.progress.bar.maximum() > 0  # complete, not 0 %
        total = result.checkpoints[0].by_category()["total"]
        assert [tab.table.value("total", 0, m) for m in ("tp", "fp", "fn")] == [
            total.tp, total.fp, total.fn,
        ]  # fmt: skip
        qtbot.waitUntil(lambda: tab.entry_label.text() != "", timeout=30_000)
        entry = tab.current_entry()
        assert entry in tab.entry_label.text() and tab.fix_button.isEnabled()
        lanes = tab.overlay.lanes()
        counts = loaded.checkpoints[0].image(entry).counts
        assert [r.role for r in lanes].count("fp") == counts[1]
        assert tab.overlay.prob_item.image.shape == (24, 64)  # recomputed with the checkpoint
        with qtbot.waitSignal(tab.result_saved, timeout=30_000) as written:
            tab.save_result(tmp_path / "again.npz")
        assert EvaluationResult.load(written.args[0]).entries == result.entries
        bad = tmp_path / "bad.npz"
        bad.write_bytes(b"no")
        job = tab.open_result(bad)
        with qtbot.waitSignal(job.errored, timeout=30_000):
            pass
        assert "not an LGAD Studio evaluation result" in tab.errors.label.text()
    finally:
        assert runner.shutdown(30.0)


def _big_result(n: int) -> EvaluationResult:
    rng = np.random.default_rng(0)
    entries = [f"driver_{i % 7}/clip_{i // 100:04d}/{i:05d}.jpg" for i in range(n)]
    names = ("normal", "crowd", "night", "curve")
    empty = PackedLanes(
        np.zeros((0, 2), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int8),
        np.zeros(n, np.int64),
    )  # fmt: skip
    return EvaluationResult(
        dataset_root="/nowhere", split="test", entries=entries,
        categories=[names[i % 4] for i in range(n)], image_sizes=np.tile([1640, 590], (n, 1)),
        infos=[CheckpointInfo(Path("/nowhere/run/best.pt"), "baseline · run/best", "none")],
        counts=[rng.integers(0, 5, size=(n, 3))], lanes=[empty],
    )  # fmt: skip


def test_a_culane_size_list_sorts_and_selects_by_arrays(qtbot) -> None:
    result = _big_result(34_680)
    view = ImageList()
    qtbot.addWidget(view)
    view.set_evaluation(result.checkpoints[0])
    assert view.row_count() == 34_680
    view.sort_by("FN", Qt.SortOrder.DescendingOrder)
    order = view.entries_in_view_order()
    fn = result.counts[0][:, 2]
    assert [int(fn[result.index_of(e)]) for e in order[::997]] == sorted(
        (int(fn[result.index_of(e)]) for e in order[::997]), reverse=True
    )
    # Ties keep the list's order (a stable sort).
    top = [result.index_of(e) for e in order if fn[result.index_of(e)] == fn.max()]
    assert top == sorted(top)
    target = result.entries[31_337]
    assert view.select_entry(target) and view.current_entry() == target
    view.sort_by("F1")
    assert view.current_entry() == target  # the selection follows its image
    f1 = result.checkpoints[0].f1_per_image()
    shown = [f1[result.index_of(e)] for e in view.entries_in_view_order()[:200]]
    assert shown == sorted(shown)
    index = view.model_.index(0, 2)
    assert view.model_.data(index) in ("–", f"{100 * shown[0]:.1f}")


def test_the_grid_exports_the_core_renderers_picture(qtbot, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    stages = ("stage1", "stage2", "stage3")
    teacher = [rng.random((h, w)).astype(np.float32) for h, w in ((12, 32), (6, 16), (3, 8))]
    rows = {
        "teacher": teacher,
        "baseline": [rng.random(m.shape).astype(np.float32) for m in teacher],
    }
    image = rng.integers(0, 255, (48, 128, 3), dtype=np.uint8)
    grid = AttentionGrid()
    qtbot.addWidget(grid)
    grid.set_maps(stages=stages, rows=rows, image=image)
    for blended in (True, False):
        grid.blend_box.setChecked(blended)
        out = grid.export_png(tmp_path / f"grid-{blended}.png")
        written = cv2.cvtColor(cv2.imread(str(out)), cv2.COLOR_BGR2RGB)
        expected = render_attention_grid(stages=stages, rows=rows, image=image, blended=blended)
        assert np.array_equal(written, expected)
