"""Clip propagation: lanes labelled on keyframes, interpolated to the frames between them.

For two keyframes ``a`` (frame ``i``) and ``b`` (frame ``j``) and a frame ``t``
between them, ``alpha = (t - i) / (j - i)``. Lanes are paired **by slot** (a slot
keeps its identity through the clip; a lane in only one keyframe, or without a
slot, is not propagated). In row space, each pair gives a lane whose ends are
the interpolated ends, ``y_top = (1 - alpha) y_top(a) + alpha y_top(b)`` (likewise
the bottom), whose rows are the two keyframe lanes' rows inside that extent plus
the two ends (the labels' own point density: every 10 px for CULane annotations),
and whose x on each row is ``(1 - alpha) x_a(y) + alpha x_b(y)``, each ``x(y)``
linear between a lane's vertices and extended linearly past its ends.

:func:`refine_lanes` optionally moves each point to the model's lane-probability
peak within ``search_px`` on its row, so that motion that is not linear between
keyframes is followed. :func:`propagate` is the job: it stores the result as
proposals (source ``"propagated"``) in the sidecar, to be accepted with
:mod:`.review` like a model's.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Generator, Mapping, Sequence
from pathlib import Path

import numpy as np

from lgad_studio.core.autolabel.fingerprint import predictor_fingerprint, run_key
from lgad_studio.core.autolabel.job import (
    AutolabelProgress,
    AutolabelSummary,
    read_images,
    run_batches,
)
from lgad_studio.core.autolabel.labels_digest import lanes_text
from lgad_studio.core.autolabel.laneness import Laneness, widen
from lgad_studio.core.autolabel.proposals import X_DECIMALS, ImageProposals, LaneProposal
from lgad_studio.core.autolabel.rows import x_at_rows
from lgad_studio.core.autolabel.settings import DECODE_DEFAULTS
from lgad_studio.core.autolabel.store import RunInfo
from lgad_studio.core.decode import DECODE_WIDTH
from lgad_studio.core.errors import Problem
from lgad_studio.core.lanes import NUM_SLOTS, Lane, LaneSet

KIND = "propagation"
SEARCH_PX = 20.0
MIN_PROB = float(DECODE_DEFAULTS["prob_threshold"])  # the decoder's row threshold


def lane_between(a: Lane, b: Lane, alpha: float) -> Lane:
    """The lane a fraction ``alpha`` of the way from ``a`` to ``b`` (bottom-up points, ``a``'s slot)."""
    ya, yb = a.points[:, 1], b.points[:, 1]
    top = (1 - alpha) * ya.min() + alpha * yb.min()
    bottom = (1 - alpha) * ya.max() + alpha * yb.max()
    rows = np.unique(np.concatenate([ya, yb, [top, bottom]]))
    rows = rows[(rows >= top - 1e-9) & (rows <= bottom + 1e-9)][::-1]
    xs = (1 - alpha) * x_at_rows(a.points, rows) + alpha * x_at_rows(b.points, rows)
    return Lane(np.column_stack([xs, rows]), a.slot)


def interpolate_lanes(a: LaneSet, b: LaneSet, alpha: float) -> LaneSet:
    """The slots present in both ``a`` and ``b``, each lane :func:`lane_between` them."""
    in_a, in_b = a.by_slot(), b.by_slot()
    lanes = tuple(
        lane_between(in_a[s], in_b[s], alpha)
        for s in range(1, NUM_SLOTS + 1)
        if s in in_a and s in in_b and len(in_a[s]) and len(in_b[s])
    )
    return LaneSet(lanes, image_size=a.image_size)


def propagate_clip(frames: Sequence[str], keyframes: Mapping[str, LaneSet]) -> dict[str, LaneSet]:
    """``{frame: lanes}`` for the frames strictly between consecutive keyframes of a clip.

    ``frames`` are the clip's entries in time order; frames before the first or
    after the last keyframe get nothing (no extrapolation in time).
    """
    keys = [i for i, frame in enumerate(frames) if frame in keyframes]
    out: dict[str, LaneSet] = {}
    for i, j in zip(keys[:-1], keys[1:], strict=True):
        a, b = keyframes[frames[i]], keyframes[frames[j]]
        for t in range(i + 1, j):
            out[frames[t]] = interpolate_lanes(a, b, (t - i) / (j - i))
    return out


def keyframe_distance(frames: Sequence[str], keyframes: Collection, frame: str) -> float:
    """``2 min(t - i, j - t) / (j - i)`` in (0, 1]: 1 halfway between keyframes ``i`` and ``j``."""
    t = list(frames).index(frame)
    before = max(i for i, f in enumerate(frames) if f in keyframes and i < t)
    after = min(i for i, f in enumerate(frames) if f in keyframes and i > t)
    return 2.0 * min(t - before, after - t) / (after - before)


def refine_lanes(
    lanes: LaneSet,
    prob_map: np.ndarray,
    *,
    search_px: float = SEARCH_PX,
    min_prob: float = MIN_PROB,
    decode_width: int = DECODE_WIDTH,
) -> tuple[LaneSet, list[float | None]]:
    """Move each point inside the image to the lane-probability peak within ``search_px`` on its row.

    Args:
        prob_map: ``float32 [5, h, w]`` softmax of the frame (``Prediction.prob_map``);
            lane-ness is ``1 - background`` (:mod:`.laneness`), so the model's slot is
            not trusted, only where a lane is.
        min_prob: a point moves only when the peak exceeds it.

    Returns:
        The lanes (slots kept) and, per lane, the mean lane-ness at its refined points
        (``None`` when no point was inside the image).
    """
    field = Laneness.from_wide(widen(prob_map, width=decode_width), lanes.image_size)
    width, height = lanes.image_size
    refined, means = [], []
    for lane in lanes:
        pts = lane.points.copy()
        values = []
        for k, (x, y) in enumerate(pts):
            if not (0 <= y < height and 0 <= x < width):
                continue
            peak_x, value = field.peak_near(x, y, search_px)
            if value > min_prob:
                pts[k, 0] = round(peak_x, X_DECIMALS)
                values.append(value)
            else:
                values.append(field.peak_near(x, y, 0.0)[1])
        refined.append(lane.with_points(pts))
        means.append(float(np.mean(values)) if values else None)
    return LaneSet(tuple(refined), image_size=lanes.image_size), means


def lanes_digest(lanes_by_entry: Mapping[str, LaneSet]) -> str:
    """sha256 hex of entries and their lanes (slots and points), independent of dict order."""
    digest = hashlib.sha256()
    for entry in sorted(lanes_by_entry):
        digest.update(f"{entry}\0{lanes_text(lanes_by_entry[entry])}\0".encode())
    return digest.hexdigest()


def propagate(
    dataset,
    frames: Sequence[str],
    store_path: str | Path,
    *,
    keyframes: Mapping[str, LaneSet] | None = None,
    predictor=None,
    search_px: float = SEARCH_PX,
    batch_size: int = 8,
    cancel: threading.Event | None = None,
) -> Generator[AutolabelProgress, None, AutolabelSummary]:
    """Propagate a clip's keyframes (default: its labelled frames) into the proposals store.

    ``frames`` are one clip's entries in time order (see
    :func:`~lgad_studio.core.autolabel.ranking.clips`). With a ``predictor`` each
    propagated frame is refined by the model's prediction (:func:`refine_lanes`).
    Signals: ``keyframe_distance`` and, refined, ``refine_shift`` (mean point move
    over ``search_px``); the uncertainty is the larger.
    """
    frames = list(frames)
    if keyframes is None:
        keyframes = {f: dataset.read_lanes(f) for f in frames if dataset.has_labels(f)}
    targets = propagate_clip(frames, keyframes)
    model = predictor_fingerprint(predictor) if predictor is not None else ""
    settings = {"search_px": search_px, "keyframes": lanes_digest(keyframes)}
    run = RunInfo(
        run_key(kind=KIND, model=model, settings=settings), KIND, model, "", settings,
        info={"dataset": str(dataset.root), "keyframes": sorted(keyframes)},
    )  # fmt: skip

    def make_batch(chunk: list[str], problems: list[Problem]) -> list[ImageProposals]:
        maps: dict[str, np.ndarray] = {}
        if predictor is not None:
            images = read_images(dataset, chunk, problems)
            predictions = predictor.predict_batch([image for _, image in images])
            maps = {e: p.prob_map for (e, _), p in zip(images, predictions, strict=True)}
        batch = []
        for entry in chunk:
            lanes = targets[entry]
            size = dataset.image_size(entry)
            lanes = LaneSet(lanes.lanes, image_size=size)
            signals = {"keyframe_distance": keyframe_distance(frames, keyframes, entry)}
            means: list[float | None] = [None] * len(lanes)
            if entry in maps:
                refined, means = refine_lanes(lanes, maps[entry], search_px=search_px)
                shifts = [
                    np.abs(r.points[:, 0] - o.points[:, 0]).mean()
                    for r, o in zip(refined, lanes, strict=True)
                    if len(o)
                ]
                signals["refine_shift"] = (
                    min(1.0, float(np.mean(shifts)) / search_px) if shifts else 0.0
                )
                lanes = refined
            elif predictor is not None:
                continue  # unreadable image: not stored, retried later
            proposals = tuple(
                LaneProposal(lane, 1.0, None if m is None else round(m, 4), source="propagated")
                for lane, m in zip(lanes, means, strict=True)
            )
            batch.append(
                ImageProposals(entry, size, proposals, np.full(NUM_SLOTS, np.nan), np.zeros(0),
                               signals, max(signals.values()))
            )  # fmt: skip
        return batch

    return (
        yield from run_batches(
            store_path, run, list(targets), make_batch, batch_size=batch_size, cancel=cancel
        )
    )
