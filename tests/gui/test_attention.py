"""Attention view: display normalisation, distance, the grid (shape, synced zoom, PNG), real maps."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from lgad_studio.core.errors import StudioError
from lgad_studio.gui.attention import AttentionGrid
from lgad_studio.gui.attention.display import (
    attention_distance,
    heat_lut,
    normalise_for_display,
    to_uint8,
)

sys.path.insert(0, str(Path(__file__).parent))
from trainui_models import tiny_checkpoints, tiny_demo  # noqa: E402

STAGES = ("stage1", "stage2", "stage3")


def _softmax_map(h: int, w: int, seed: int) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(size=(h, w))
    e = np.exp(logits)
    return (e / e.sum()).astype(np.float32)


def _rows(seed: int = 0) -> dict[str, list[np.ndarray]]:
    shapes = [(12, 32), (6, 16), (3, 8)]
    teacher = [_softmax_map(h, w, seed + k) for k, (h, w) in enumerate(shapes)]
    return {
        "teacher": teacher,
        "LGAD student": [m * 3.0 for m in teacher],  # same maps up to scale
        "baseline": [_softmax_map(h, w, seed + 10 + k) for k, (h, w) in enumerate(shapes)],
    }


def test_raw_softmax_maps_are_stretched_for_display() -> None:
    raw = _softmax_map(24, 64, 0)
    assert raw.max() < 0.05  # would look blank on a 0..1 scale
    shown = normalise_for_display(raw)
    assert shown.min() == 0.0 and shown.max() == 1.0
    assert to_uint8(raw).dtype == np.uint8 and to_uint8(raw).flags.c_contiguous
    assert to_uint8(raw).max() == 255
    assert not normalise_for_display(np.full((3, 4), 0.25)).any()  # a flat map is not noise
    lut = heat_lut(blended=True)
    assert lut.shape == (256, 4) and lut.dtype == np.uint8 and lut[0, 3] < lut[-1, 3]


def test_distance_is_zero_up_to_scale_and_resizes_the_student() -> None:
    teacher = _softmax_map(6, 16, 1)
    assert attention_distance(teacher * 7.0, teacher) == pytest.approx(0.0, abs=1e-6)
    other = _softmax_map(6, 16, 2)
    assert 0.0 < attention_distance(other, teacher) <= np.sqrt(2) + 1e-9
    upsampled = np.kron(teacher, np.ones((2, 2), np.float32))
    assert attention_distance(upsampled, teacher) < 0.2
    with pytest.raises(ValueError, match=r"\[h, w\]"):
        attention_distance(np.zeros((2, 3, 4)), teacher)


def test_grid_shape_distances_and_blending(qtbot) -> None:
    grid = AttentionGrid()
    qtbot.addWidget(grid)
    image = np.zeros((24, 64, 3), np.uint8)
    grid.set_maps(stages=STAGES, rows=_rows(), image=image)
    assert grid.shape() == (3, 3)
    assert grid.row_names() == ("teacher", "LGAD student", "baseline")
    distances = grid.distances()
    assert set(distances) == {"LGAD student", "baseline"}
    assert all(d == pytest.approx(0.0, abs=1e-6) for d in distances["LGAD student"])
    assert all(d > 0.05 for d in distances["baseline"])
    assert grid.heat_image(2, 0).shape == (12, 32) and grid.heat_image(2, 0).dtype == np.uint8
    cell = grid._cells[1][2]
    assert cell.image.isVisible()
    grid.blend_box.setChecked(False)
    assert not cell.image.isVisible()
    with pytest.raises(ValueError, match="2 maps for 3 stages"):
        grid.set_maps(stages=STAGES, rows={"teacher": _rows()["teacher"][:2]})


def test_zoom_and_pan_are_synchronised_across_the_grid(qtbot) -> None:
    grid = AttentionGrid()
    qtbot.addWidget(grid)
    grid.resize(900, 500)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_maps(stages=STAGES, rows=_rows(), image=np.zeros((24, 64, 3), np.uint8))
    views = [v for row in grid.view_boxes() for v in row]
    full = views[0].viewRange()
    # A real wheel zoom over the middle cell, as a user would do it.
    source = views[4]
    pos = grid.graphics.mapFromScene(source.mapViewToScene(QPointF(20.0, 9.0)))
    wheel = QWheelEvent(
        QPointF(pos),
        QPointF(grid.graphics.viewport().mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 480),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(grid.graphics.viewport(), wheel)
    (sx0, sx1), (sy0, sy1) = source.viewRange()
    assert sx1 - sx0 < 0.8 * (full[0][1] - full[0][0])  # it zoomed in
    for view in views:
        (x0, x1), (y0, y1) = view.viewRange()
        # Every cell shows the same region: same centre, and the source's rect inside
        # (aspect locking may widen one axis of a cell of another shape).
        assert (x0 + x1) / 2 == pytest.approx((sx0 + sx1) / 2, abs=1e-6)
        assert (y0 + y1) / 2 == pytest.approx((sy0 + sy1) / 2, abs=1e-6)
        assert x1 - x0 >= sx1 - sx0 - 1e-6 and y1 - y0 >= sy1 - sy0 - 1e-6
        assert x1 - x0 <= 1.5 * (sx1 - sx0) or y1 - y0 <= 1.5 * (sy1 - sy0)
    grid.reset_zoom()
    assert views[7].viewRange()[0][1] - views[7].viewRange()[0][0] >= 64.0


def test_export_png(qtbot, tmp_path: Path) -> None:
    grid = AttentionGrid()
    qtbot.addWidget(grid)
    grid.resize(600, 400)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_maps(stages=STAGES, rows=_rows(), image=None)
    with qtbot.waitSignal(grid.exported):
        out = grid.export_png(tmp_path / "grid.svg")  # saved as PNG whatever the suffix
    assert out.suffix == ".png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(StudioError, match="could not write"):
        grid.export_png(tmp_path / "missing" / "grid.png")


def test_real_checkpoints_give_a_teacher_lgad_baseline_sad_grid(qtbot, tmp_path_factory) -> None:
    from lgad_studio.core.attention_view import attention_rows
    from lgad_studio.core.formats.dataset import open_dataset

    root = tiny_demo(tmp_path_factory)
    paths = tiny_checkpoints(tmp_path_factory, root)
    dataset = open_dataset(root)
    entry = dataset.entries("test")[0]
    students = [paths["sad"], paths["none"], paths["lgad"]]  # the teacher comes from LGAD's config
    maps = attention_rows(students, dataset.read_image(entry), dataset.read_lanes(entry))
    assert maps.sources["teacher"] == paths["teacher"]
    assert list(maps.rows) == ["teacher", "LGAD student", "baseline", "SAD student"]
    assert maps.stages == STAGES
    image = dataset.read_image(entry)
    assert maps.image.shape == image.shape  # the image at its own resolution (for the export)
    for row in maps.rows.values():
        for m in row:
            assert m.dtype == np.float32 and m.ndim == 2
            assert float(np.linalg.norm(m)) == pytest.approx(1.0, rel=1e-4)  # L2-normalised
    grid = AttentionGrid()
    qtbot.addWidget(grid)
    grid.set_maps(stages=maps.stages, rows=maps.rows, image=maps.image)
    assert grid.shape() == (4, 3)
    assert set(grid.distances()) == {"LGAD student", "baseline", "SAD student"}
