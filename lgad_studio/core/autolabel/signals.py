"""Uncertainty signals of an image, each in [0, 1] (1 = review this first).

- ``existence``: a slot's existence probability near 0.5, ``max_s 1 - |2 e_s - 1|``
  over the four slots: the model cannot tell whether a lane is there.
- ``weak_lane``: ``1 -`` the lane probability along the weakest shown lane, averaged
  over every sampled row from its lowest to its highest point, so that both a low
  and a patchy lane (rows where it fell below the threshold) score high.
- ``label``: disagreement between the shown proposals and the stored label.
- ``label_support``: ``1 -`` the model's lane probability along the least supported
  labelled lane (:func:`label_support`): a labelled lane that runs where the
  model sees no lane at all (moved, made up) scores high, whether or not the
  model's own decoded lanes are right. Needs the probability map, so it is
  computed when the job runs, against the labels as they were then.
- ``missing_lane``: the strongest shown proposal (existence x mean probability)
  that matches no labelled lane: a lane the label may lack.
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
from typing import TYPE_CHECKING

import numpy as np

from lgad_studio.core.autolabel.proposals import ImageProposals
from lgad_studio.core.autolabel.rows import x_at_rows
from lgad_studio.core.autolabel.settings import DEFAULT_MIN_EXISTENCE
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.metrics import evaluate_image
from lgad_studio.core.metrics.culane import DEFAULT_IOU
from lgad_studio.core.metrics.culane_raster import DEFAULT_WIDTH

if TYPE_CHECKING:  # the probability map's lane-ness; its module needs torch
    from lgad_studio.core.autolabel.laneness import Laneness

# A labelled lane is supported where the model's lane-ness peaks within half the metric's
# line width of it (15 px at 1640x590): measured 34.6, 34.8 and 33.4 of 80 corrupted images
# in the top 10 % with windows of 8, 15 and 25 px (docs/adr/autolabel.md).
SUPPORT_WINDOW_PX = DEFAULT_WIDTH / 2

EXISTENCE = "existence"
WEAK_LANE = "weak_lane"
LABEL = "label"
LABEL_SUPPORT = "label_support"
MISSING_LANE = "missing_lane"
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


def _pairs(a: LaneSet, b: LaneSet) -> tuple[tuple[int, int, float], ...]:
    """Every pair ``(i, j, IoU)`` of the metric's Kuhn-Munkres assignment of ``a`` x ``b``."""
    if not len(a) or not len(b):
        return ()
    lanes_a, lanes_b = [ln.points for ln in a], [ln.points for ln in b]
    return evaluate_image(lanes_a, lanes_b, image_size=a.image_size).assignment


def _soft_disagreement(pairs: tuple, n_a: int, n_b: int) -> float:
    if n_a + n_b == 0:
        return 0.0
    overlap = sum(iou for _, _, iou in pairs)
    return float(min(1.0, max(0.0, 1.0 - 2.0 * overlap / (n_a + n_b))))


def lane_disagreement(a: LaneSet, b: LaneSet) -> float:
    """``1 - 2 Σ IoU / (|A| + |B|)`` over the CULane metric's assignment, in [0, 1]."""
    return _soft_disagreement(_pairs(a, b), len(a), len(b))


def _label_terms(
    proposals: ImageProposals, labels: LaneSet, min_existence: float
) -> tuple[float, float]:
    """``(label, missing_lane)`` from one assignment of the labels and the shown proposals."""
    shown = proposals.filtered(min_existence=min_existence)
    size = proposals.image_size
    label_set = LaneSet(labels.lanes, image_size=size)
    pairs = _pairs(label_set, LaneSet(tuple(p.lane for p in shown.lanes), image_size=size))
    matched = {j for _, j, iou in pairs if iou > DEFAULT_IOU}
    strengths = [
        p.existence * (p.mean_prob if p.mean_prob is not None else 1.0)
        for j, p in enumerate(shown.lanes)
        if j not in matched
    ]
    disagreement = _soft_disagreement(pairs, len(label_set), len(shown))
    return disagreement, float(max(strengths, default=0.0))


def label_disagreement(
    proposals: ImageProposals, labels: LaneSet, *, min_existence: float = DEFAULT_MIN_EXISTENCE
) -> float:
    """Disagreement of the shown proposals with the stored label of the image."""
    return _label_terms(proposals, labels, min_existence)[0]


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


def label_support(
    field: Laneness, labels: LaneSet, rows: np.ndarray, *, window_px: float = SUPPORT_WINDOW_PX
) -> list[float]:
    """Per labelled lane: its mean lane-ness peak within ``window_px``, on the ``rows`` it spans
    inside the image (lanes with no such row are left out)."""
    width, height = field.image_size
    supports = []
    for lane in labels:
        if len(lane) < 2:
            continue
        ys = lane.points[:, 1]
        span = rows[(rows >= ys.min()) & (rows <= ys.max()) & (rows >= 0) & (rows < height)]
        xs = x_at_rows(lane.points, span)
        values = [
            field.peak_near(x, y, window_px)[1]
            for x, y in zip(xs, span, strict=True)
            if 0 <= x < width
        ]
        if values:
            supports.append(float(np.mean(values)))
    return supports


def unsupported_label(field: Laneness, labels: LaneSet, rows: np.ndarray) -> float:
    """``1 -`` the smallest :func:`label_support` (0 without labelled lanes)."""
    supports = label_support(field, labels, rows)
    return float(1.0 - min(supports)) if supports else 0.0


def missing_lane(
    proposals: ImageProposals, labels: LaneSet, *, min_existence: float = DEFAULT_MIN_EXISTENCE
) -> float:
    """The largest existence x mean probability of a shown proposal that matches no labelled
    lane (IoU above the metric's 0.5)."""
    return _label_terms(proposals, labels, min_existence)[1]


def image_signals(
    proposals: ImageProposals,
    labels: LaneSet | None,
    *,
    field: Laneness | None = None,
    min_existence: float = DEFAULT_MIN_EXISTENCE,
) -> dict[str, float]:
    """The signals one model run gives: existence and weak lane; with a label, label and
    missing lane, and with the model's lane-ness ``field`` too, label support."""
    signals = {
        EXISTENCE: existence_ambiguity(proposals),
        WEAK_LANE: weak_lane(proposals, min_existence=min_existence),
    }
    if labels is not None:
        signals[LABEL], signals[MISSING_LANE] = _label_terms(proposals, labels, min_existence)
        if field is not None:
            signals[LABEL_SUPPORT] = unsupported_label(field, labels, proposals.rows)
    return signals


def uncertainty_of(signals: dict[str, float]) -> float:
    """The review queue's default order, chosen by measurement (docs/adr/autolabel.md).

    A labelled image is ranked by ``label_support`` (found 34.8 of 80 corrupted labels
    in the top 10 % of 400 demo images, against 16.4 for ``label`` and 8 for random
    order), or ``label`` when the run had no probability map; an unlabelled one by
    ``weak_lane`` (36 of the top 40 had wrong proposals, against 20 at random), the
    best signal a single model gives (two models: :func:`model_disagreement`, 39 of 40).
    """
    if LABEL_SUPPORT in signals:
        return float(signals[LABEL_SUPPORT])
    if LABEL in signals:
        return float(signals[LABEL])
    return float(signals.get(WEAK_LANE, 0.0))
