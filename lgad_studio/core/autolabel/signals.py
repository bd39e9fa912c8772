"""Uncertainty signals of an image, each in [0, 1] (1 = review this first).

- ``existence``: a slot's existence probability near 0.5, ``max_s 1 - |2 e_s - 1|``
  over the four slots: the model cannot tell whether a lane is there.
- ``weak_lane``: ``1 -`` the lane probability along the weakest shown lane, averaged
  over every sampled row from its lowest to its highest point, so that both a low
  and a patchy lane (rows where it fell below the threshold) score high.
- ``label``: disagreement between the shown proposals and the stored label.
- ``models``: disagreement between two models' proposals of the image.
- ``temporal``: disagreement between a frame's lanes and its neighbours' in a clip
  (the smaller of the two, so a corrupted frame scores where a cut does not).

Disagreement of two lane sets A and B is ``1 - 2 Σ IoU / (|A| + |B|)`` over the
official Kuhn-Munkres assignment of the CULane metric's pixel IoU (30-px lines on
the image's canvas, :mod:`lgad_studio.core.metrics`): 0 for identical sets or two
empty ones, 1 when nothing overlaps. Which signal orders the review queue by
default was chosen by measurement (``benchmarks/review_ranking.py``,
docs/adr/autolabel.md): see :func:`uncertainty_of`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lgad_studio.core.autolabel.proposals import ImageProposals
from lgad_studio.core.autolabel.settings import DEFAULT_MIN_EXISTENCE
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.metrics import evaluate_image

EXISTENCE = "existence"
WEAK_LANE = "weak_lane"
LABEL = "label"
MODELS = "models"
TEMPORAL = "temporal"


def existence_ambiguity(proposals: ImageProposals) -> float:
    """``max_s 1 - |2 e_s - 1|`` over the slots whose existence is known (0 if none)."""
    exist = proposals.exist[np.isfinite(proposals.exist)]
    if len(exist) == 0:
        return 0.0
    return float(np.max(1.0 - np.abs(2.0 * exist - 1.0)))


def weak_lane(proposals: ImageProposals, *, min_existence: float = DEFAULT_MIN_EXISTENCE) -> float:
    """``1 -`` the smallest mean row probability over a shown lane's span (0 if no lane)."""
    weakest = 0.0
    for lane in proposals.filtered(min_existence=min_existence).lanes:
        span = lane.span_probs(proposals.rows)
        if len(span):
            weakest = max(weakest, 1.0 - float(span.mean()))
    return weakest


def lane_disagreement(a: LaneSet, b: LaneSet) -> float:
    """``1 - 2 Σ IoU / (|A| + |B|)`` over the CULane metric's assignment, in [0, 1]."""
    if len(a) + len(b) == 0:
        return 0.0
    if len(a) == 0 or len(b) == 0:
        return 1.0
    result = evaluate_image(
        [ln.points for ln in a], [ln.points for ln in b], image_size=a.image_size
    )
    overlap = sum(iou for _, _, iou in result.assignment)
    return float(min(1.0, max(0.0, 1.0 - 2.0 * overlap / (len(a) + len(b)))))


def label_disagreement(
    proposals: ImageProposals, labels: LaneSet, *, min_existence: float = DEFAULT_MIN_EXISTENCE
) -> float:
    """Disagreement of the shown proposals with the stored label of the image."""
    shown = proposals.lane_set(min_existence=min_existence)
    return lane_disagreement(LaneSet(labels.lanes, image_size=shown.image_size), shown)


def model_disagreement(
    a: ImageProposals, b: ImageProposals, *, min_existence: float = DEFAULT_MIN_EXISTENCE
) -> float:
    """Disagreement of two models' shown proposals of one image."""
    return lane_disagreement(
        a.lane_set(min_existence=min_existence), b.lane_set(min_existence=min_existence)
    )


def temporal_jumps(frames: Sequence[LaneSet]) -> list[float]:
    """Per frame of a clip (in time order): the smaller disagreement with a neighbour.

    A frame with one neighbour gets its disagreement with it; a clip of one frame, 0.
    """
    steps = [lane_disagreement(frames[i], frames[i + 1]) for i in range(len(frames) - 1)]
    jumps = []
    for i in range(len(frames)):
        around = [steps[j] for j in (i - 1, i) if 0 <= j < len(steps)]
        jumps.append(min(around) if around else 0.0)
    return jumps


def image_signals(
    proposals: ImageProposals,
    labels: LaneSet | None,
    *,
    min_existence: float = DEFAULT_MIN_EXISTENCE,
) -> dict[str, float]:
    """The signals one model run can give: existence, weak lane and, with a label, label."""
    signals = {
        EXISTENCE: existence_ambiguity(proposals),
        WEAK_LANE: weak_lane(proposals, min_existence=min_existence),
    }
    if labels is not None:
        signals[LABEL] = label_disagreement(proposals, labels, min_existence=min_existence)
    return signals


def uncertainty_of(signals: dict[str, float]) -> float:
    """The review queue's default order (measured, see docs/adr/autolabel.md).

    A labelled image is ranked by its label disagreement, the signal that finds
    wrong labels; an unlabelled one by the larger of the existence and weak-lane
    signals, which find wrong proposals.
    """
    if LABEL in signals:
        return float(signals[LABEL])
    return float(max(signals.get(EXISTENCE, 0.0), signals.get(WEAK_LANE, 0.0)))
