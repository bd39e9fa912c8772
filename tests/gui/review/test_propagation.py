"""Clip propagation in the studio (issue 12, item 4): lanes of keyframes become proposals on
the frames between them; K marks keyframes; C copies a frame's propagated lanes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from lgad_studio.core.autolabel.propagation import propagate_clip
from lgad_studio.core.formats.culane_lines import write_lines_txt
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import Lane, LaneSet

SIZE = (1640, 590)
FRAMES = [f"clip_a/{i:05d}.jpg" for i in range(5)]


def _lanes(shift: float) -> LaneSet:
    """Two straight lanes, moved ``shift`` px to the right; CULane-like rows every 10 px."""
    ys = np.arange(589.0, 299.0, -10.0)
    left = np.column_stack([500 + shift + 0.8 * (589 - ys), ys])
    right = np.column_stack([1100 + shift - 0.8 * (589 - ys), ys])
    return LaneSet((Lane(left), Lane(right)), image_size=SIZE).with_auto_slots()


@pytest.fixture
def clip_root(tmp_path: Path) -> Path:
    """A folder of five frames; frames 0 and 4 labelled, the lanes moving 80 px between them."""
    root = tmp_path / "clips"
    image = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    for i, entry in enumerate(FRAMES):
        path = root / entry
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), image)
        if i in (0, 4):
            write_lines_txt(path.with_suffix(".lines.txt"), _lanes(20.0 * i))
    return root


def _open(window, entry: str):
    window.label_panel.browser.select_entry(entry)
    assert window.label_panel.document.entry == entry
    return window.label_panel.document


def test_propagation_proposes_the_interpolated_lanes_to_accept(
    make_window, clip_root, driver, qtbot
) -> None:
    window = make_window(clip_root)
    panel = window.label_panel
    _open(window, FRAMES[2])
    with qtbot.waitSignal(panel.review.session.runs_changed, timeout=30_000):
        job = panel.review.propagation.propagate()
        assert job is not None
    qtbot.waitUntil(lambda: job.state.is_terminal, timeout=30_000)
    dataset = open_dataset(clip_root)
    keys = {f: dataset.read_lanes(f) for f in (FRAMES[0], FRAMES[4])}
    expected = propagate_clip(FRAMES, keys)
    document = panel.document
    assert document.proposals is not None
    assert [p.source for p in document.proposals.lanes] == ["propagated", "propagated"]
    for got, want in zip(document.proposal, expected[FRAMES[2]], strict=True):
        assert got.slot == want.slot and np.allclose(got.points, want.points)
    assert "propagation" in panel.review.bar.run_box.currentText()
    assert "Propagated lanes from 2 keyframes to 3 frames" in panel.messages.text
    driver(panel.canvas).key(Qt.Key.Key_Return)
    assert [ln.points.tolist() for ln in document.lanes] == [
        ln.points.tolist() for ln in expected[FRAMES[2]]
    ]
    assert not (clip_root / FRAMES[1]).with_suffix(".lines.txt").exists()  # proposals only

    # C on frame 2 copies frame 1: it has no labels, so its propagated lanes.
    frame1 = _open(window, FRAMES[1])
    assert len(frame1.lanes) == 0 and len(frame1.proposal) == 2
    document = _open(window, FRAMES[2])
    driver(panel.canvas).key(Qt.Key.Key_C)
    assert [ln.points.tolist() for ln in document.lanes] == [
        ln.points.tolist() for ln in expected[FRAMES[1]]
    ]
    assert "from the proposals of" in panel.messages.text


def test_marked_keyframes_with_unsaved_edits_are_what_is_propagated(
    make_window, clip_root, driver, qtbot
) -> None:
    window = make_window(clip_root)
    panel = window.label_panel
    drive = driver(panel.canvas)
    document = _open(window, FRAMES[0])
    drive.key(Qt.Key.Key_K)
    assert "is now a keyframe" in panel.messages.text
    assert panel.browser.model.index(0).data().endswith("◆")
    edited = _lanes(40.0)  # frame 2 gets lanes in the editor, not saved
    document = _open(window, FRAMES[2])
    document.apply(edited, "Draw lanes")
    drive.key(Qt.Key.Key_K)
    with qtbot.waitSignal(panel.review.session.runs_changed, timeout=30_000):
        drive.key(Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    job = panel.review.propagation.job
    qtbot.waitUntil(lambda: job.state.is_terminal, timeout=30_000)
    frame1 = _open(window, FRAMES[1])
    expected = propagate_clip(
        FRAMES, {FRAMES[0]: open_dataset(clip_root).read_lanes(FRAMES[0]), FRAMES[2]: edited}
    )
    assert list(expected) == [FRAMES[1]]  # frame 4 is not marked: 3 gets nothing
    for got, want in zip(frame1.proposal, expected[FRAMES[1]], strict=True):
        assert np.allclose(got.points, want.points)
    frame3 = _open(window, FRAMES[3])
    assert frame3.proposals is None


def test_propagation_needs_two_keyframes_with_frames_between(make_window, clip_root) -> None:
    (clip_root / FRAMES[4]).with_suffix(".lines.txt").unlink()
    window = make_window(clip_root)
    _open(window, FRAMES[1])
    assert window.label_panel.review.propagation.propagate() is None
    assert "1 keyframe(s)" in window.label_panel.messages.text
