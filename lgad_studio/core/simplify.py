"""Few control points for a dense lane, with the evaluator's spline kept within a tolerance.

CULane labels carry a vertex every 10 image rows (18-34 per lane): dragging one of
them bends the spline into a kink. The editor therefore edits a lane through the
fewest of its own vertices whose evaluator spline (the natural chord-length
spline of :func:`lgad_studio.core.geometry.spline_points`, drawn as its 50 samples
per segment) stays within ``tolerance_px`` of the original lane's spline.

Distance between two curves is the symmetric one: every sample of each curve lies
within the tolerance of the other curve (a Hausdorff distance between the two
polylines the evaluator draws). It is measured against the other curve resampled
every :data:`RESAMPLE_PX`, which over-estimates the true distance by at most half
that step, so a result said to be within the tolerance is.

The search is greedy, then pruned: start from the two end vertices, add the vertex
farthest from the current spline until the spline is close enough, then drop every
vertex whose removal keeps it close enough. Kept vertices are original vertices,
unmoved, so the simplified lane passes exactly through labelled points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from lgad_studio.core.geometry import finite_points, spline_points

DEFAULT_TOLERANCE_PX = 1.0
RESAMPLE_PX = 0.1  # spacing of the curve a distance is measured against


@dataclass(frozen=True)
class Simplified:
    """The control points of a lane and how far their spline strays from the original's."""

    points: np.ndarray  # float64 (K, 2): a subset of the lane's vertices, in order, ends kept
    indices: tuple[int, ...]  # their positions in the original vertices
    deviation_px: float  # symmetric distance between the two evaluator splines, image px


def curve(points: np.ndarray) -> np.ndarray:
    """The evaluator's polyline of a lane: float64 ``(M, 2)`` finite spline samples."""
    return finite_points(spline_points(points).astype(np.float64))


def resampled(polyline: np.ndarray, step: float = RESAMPLE_PX) -> np.ndarray:
    """``polyline`` with points added along each segment so that none is longer than ``step``."""
    pts = np.asarray(polyline, dtype=np.float64).reshape(-1, 2)
    if len(pts) < 2:
        return pts
    seg = np.hypot(*np.diff(pts, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    count = max(2, int(np.ceil(arc[-1] / step)) + 1)
    s = np.linspace(0.0, arc[-1], count)
    return np.stack([np.interp(s, arc, pts[:, 0]), np.interp(s, arc, pts[:, 1])], axis=1)


class _Reference:
    """The original lane's curve, prepared once for many distance queries."""

    def __init__(self, points: np.ndarray) -> None:
        self.samples = curve(points)
        self.tree = cKDTree(resampled(self.samples))

    def deviation(self, candidate: np.ndarray) -> tuple[float, np.ndarray]:
        """Symmetric distance to the candidate's curve, and each reference sample's distance."""
        samples = curve(candidate)
        to_candidate, _ = cKDTree(resampled(samples)).query(self.samples)
        to_reference, _ = self.tree.query(samples)
        return float(max(to_candidate.max(), to_reference.max())), to_candidate


def spline_deviation(a: object, b: object) -> float:
    """Symmetric distance (image px) between the evaluator splines of two lanes."""
    return _Reference(np.asarray(a, dtype=np.float64)).deviation(np.asarray(b, np.float64))[0]


def simplify_lane(points: object, *, tolerance_px: float = DEFAULT_TOLERANCE_PX) -> Simplified:
    """The fewest vertices of ``points`` (``(N, 2)`` xy_image, drawing order) found by the
    greedy-then-prune search whose spline stays within ``tolerance_px`` of the lane's own.

    Lanes of two vertices or fewer, and lanes with repeated consecutive vertices
    (whose official spline is undefined), come back unchanged.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    everything = tuple(range(len(pts)))
    if len(pts) <= 2 or not np.isfinite(pts).all() or (np.diff(pts, axis=0) == 0).all(1).any():
        return Simplified(pts.copy(), everything, 0.0)
    reference = _Reference(pts)
    vertex_rows = _vertex_rows(len(pts), len(reference.samples))
    keep = [0, len(pts) - 1]
    while True:
        deviation, per_sample = reference.deviation(pts[keep])
        if deviation <= tolerance_px or len(keep) == len(pts):
            break
        distance = per_sample[vertex_rows]  # how far each original vertex is from the spline
        distance[keep] = -1.0
        keep = sorted(keep + [int(np.argmax(distance))])
    keep = _pruned(pts, keep, reference, tolerance_px)
    deviation = reference.deviation(pts[keep])[0]
    return Simplified(pts[keep].copy(), tuple(keep), deviation)


def _vertex_rows(vertices: int, samples: int) -> np.ndarray:
    """Rows of the spline samples that are the vertices (``n`` samples per segment)."""
    per_segment = (samples - 1) // (vertices - 1)
    return np.arange(vertices) * per_segment


def _pruned(pts: np.ndarray, keep: list[int], reference: _Reference, tolerance: float) -> list[int]:
    """``keep`` without every interior vertex whose removal stays within ``tolerance``."""
    changed = True
    while changed and len(keep) > 2:
        changed = False
        trials = []
        for position in range(1, len(keep) - 1):
            without = keep[:position] + keep[position + 1 :]
            trials.append((reference.deviation(pts[without])[0], position))
        deviation, position = min(trials)
        if deviation <= tolerance:
            keep = keep[:position] + keep[position + 1 :]
            changed = True
    return keep
