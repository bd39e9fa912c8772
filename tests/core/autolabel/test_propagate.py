"""Clip propagation: keyframe lanes interpolated in row space, slots kept, optional refinement."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.autolabel import (
    ProposalStore,
    accept_all,
    propagate,
    propagate_clip,
    refine_lanes,
)
from lgad_studio.core.autolabel.propagation import lane_between
from lgad_studio.core.autolabel.rows import x_at_rows
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.lanes import Lane, LaneSet
from lgad_studio.core.predictors import load_predictor

H = 590
FRAMES = [f"clip/{i:05d}.jpg" for i in range(11)]


def truth_x(
    ys: np.ndarray, t: float, slot: int, *, curved: bool, wobble: float = 0.0
) -> np.ndarray:
    """Ground truth of a synthetic clip: x of slot ``slot`` at rows ``ys`` in frame ``t``."""
    d = 589.0 - ys
    bottom = {1: 200.0, 2: 650.0, 3: 1050.0}[slot] + 4.0 * t + wobble * np.sin(np.pi * t / 10)
    lean = {1: 1.3, 2: 0.35, 3: -0.6}[slot]
    bend = (0.0012 + 0.00008 * t) if curved else 0.0
    return bottom + lean * d + bend * d**2


def truth_top(t: float) -> float:
    return 262.5 + 3.1 * t  # the far end moves and is not on a 10-px row


def frame_lanes(t: float, *, curved: bool, slots=(1, 2, 3), wobble: float = 0.0) -> LaneSet:
    """A keyframe as an annotator would label it: points every 10 rows, bottom-up, plus the top."""
    ys = np.append(np.arange(589.0, truth_top(t), -10.0), truth_top(t))
    lanes = [
        Lane(np.column_stack([truth_x(ys, t, s, curved=curved, wobble=wobble), ys]), s)
        for s in slots
    ]
    return LaneSet(tuple(lanes[::-1]), image_size=(1640, H))  # slot order must not matter


@pytest.mark.parametrize("curved", [False, True], ids=["straight", "curved"])
def test_propagation_reproduces_a_clip_within_2_px(curved: bool) -> None:
    keyframes = {
        FRAMES[0]: frame_lanes(0, curved=curved),
        FRAMES[10]: frame_lanes(10, curved=curved),
    }
    out = propagate_clip(FRAMES, keyframes)
    assert sorted(out) == FRAMES[1:10]
    worst = 0.0
    for t in range(1, 10):
        lanes = out[FRAMES[t]]
        assert sorted(lanes.by_slot()) == [1, 2, 3]
        for slot, lane in lanes.by_slot().items():
            ys = lane.points[:, 1]
            assert np.all(np.diff(ys) < 0)  # bottom-up
            assert ys.max() == pytest.approx(589.0) and ys.min() == pytest.approx(truth_top(t))
            assert 30 <= len(lane) <= 36  # the labels' density: one point every 10 rows
            dense = np.linspace(ys.min(), ys.max(), 200)  # between the points too
            err = np.abs(x_at_rows(lane.points, dense) - truth_x(dense, t, slot, curved=curved))
            worst = max(worst, float(err.max()))
    assert worst < 2.0


def test_slots_keep_their_identity_and_unpaired_lanes_are_not_invented() -> None:
    a = frame_lanes(0, curved=True, slots=(1, 2, 3))
    b = frame_lanes(10, curved=True, slots=(2, 3))
    extra = LaneSet(b.lanes + (Lane([[1500, 589], [1300, 300]], None),), image_size=b.image_size)
    frames = FRAMES[:3] + FRAMES[10:]
    out = propagate_clip(["x/first.jpg", *frames], {frames[0]: a, frames[-1]: extra})
    assert "x/first.jpg" not in out and frames[0] not in out and frames[-1] not in out
    for lanes in out.values():
        assert sorted(lanes.by_slot()) == [2, 3] and all(ln.slot for ln in lanes)
    mid = lane_between(a.by_slot()[2], b.by_slot()[2], 0.5)
    assert mid.slot == 2
    assert propagate_clip(FRAMES, {FRAMES[4]: a}) == {}


def ridge_map(lanes: LaneSet, *, width: int = 800, height: int = 288) -> np.ndarray:
    """A ``[5, h, w]`` probability map with a Gaussian lane ridge (sigma 2 columns) along ``lanes``."""
    prob = np.zeros((5, height, width), np.float32)
    prob[0] = 1.0
    cols = np.arange(width)
    for row in range(height):
        y = (row + 0.5) * H / height - 0.5
        for lane in lanes:
            if lane.points[:, 1].min() - 5 <= y <= lane.points[:, 1].max() + 5:  # as a net sees it
                c = (x_at_rows(lane.points, np.array([y]))[0] + 0.5) * width / 1640 - 0.5
                ridge = 0.9 * np.exp(-0.5 * ((cols - c) / 2.0) ** 2)
                prob[lane.slot, row] = np.maximum(prob[lane.slot, row], ridge)
    prob[0] = 1.0 - prob[1:].sum(axis=0).clip(0, 1)
    return prob


def test_refinement_follows_motion_that_is_not_linear_between_keyframes() -> None:
    keyframes = {FRAMES[0]: frame_lanes(0, curved=True, wobble=40.0),
                 FRAMES[10]: frame_lanes(10, curved=True, wobble=40.0)}  # fmt: skip
    out = propagate_clip(FRAMES, keyframes)
    t = 5
    truth = frame_lanes(t, curved=True, wobble=40.0)
    interp = out[FRAMES[t]]
    refined, means = refine_lanes(interp, ridge_map(truth), search_px=60.0)
    for slot in (1, 2, 3):
        pts = refined.by_slot()[slot].points
        before = np.abs(
            interp.by_slot()[slot].points[:, 0]
            - truth_x(pts[:, 1], t, slot, curved=True, wobble=40.0)
        )
        after = np.abs(pts[:, 0] - truth_x(pts[:, 1], t, slot, curved=True, wobble=40.0))
        assert before.max() > 35.0 and after.max() < 2.0
    assert all(m is not None and m > 0.8 for m in means)
    flat = np.zeros((5, 288, 800), np.float32)
    flat[0] = 1.0
    unchanged, _ = refine_lanes(interp, flat)  # no lane in the map: nothing moves
    assert unchanged == interp


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}  # fmt: skip


def test_propagate_job_stores_proposals_to_accept(
    student: Path, culane: Path, tmp_path: Path
) -> None:
    ds = open_dataset(culane)
    frames = ds.entries("train")  # one clip folder, driver_00/train, frames 0-5
    for entry in frames[1:5]:
        ds.lines_path(entry).unlink()
    before = snapshot(culane)
    store = tmp_path / "p.sqlite"
    job = propagate(ds, frames, store, batch_size=3)
    events = list(job)
    assert [e.done for e in events] == [0, 3, 4] and snapshot(culane) == before
    with ProposalStore(store) as s:
        (run,) = s.runs()
        stored = s.load(run.run_key)
    assert run.kind == "propagation" and sorted(stored) == frames[1:5]
    first, last = ds.read_lanes(frames[0]), ds.read_lanes(frames[5])
    shared = sorted(set(first.by_slot()) & set(last.by_slot()))
    for entry, props in stored.items():
        assert [p.slot for p in props.lanes] == shared
        assert all(p.source == "propagated" and p.existence == 1.0 for p in props.lanes)
        assert 0 < props.signals["keyframe_distance"] <= 1 and props.uncertainty > 0
        merged = accept_all(ds.read_lanes(entry), props)
        assert sorted(merged.by_slot()) == shared
    refined = list(propagate(ds, frames, store, predictor=load_predictor(student, device="cpu")))
    assert refined[-1].done == 4 and refined[0].skipped == 0  # another run: with a model
    with ProposalStore(store) as s:
        runs = s.runs()
        assert len(runs) == 2 and all(
            "refine_shift" in p.signals for p in s.load(runs[1].run_key).values()
        )
    again = list(propagate(ds, frames, store))
    assert again[0].skipped == 4  # resumed: same keyframes and settings
