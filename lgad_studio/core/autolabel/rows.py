"""A lane's x on given image rows: the row-space view of a lane that propagation and signals use."""

from __future__ import annotations

import numpy as np


def x_at_rows(points: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """x of a polyline at rows ``ys``: linear between vertices, extended linearly past its ends."""
    pts = points[np.argsort(points[:, 1], kind="stable")]
    ys = np.asarray(ys, dtype=np.float64)
    if len(pts) == 1:
        return np.full(len(ys), pts[0, 0])
    y, x = pts[:, 1], pts[:, 0]
    out = np.interp(ys, y, x)
    for beyond, (a, b) in ((ys < y[0], (0, 1)), (ys > y[-1], (-2, -1))):
        dy = y[b] - y[a]
        slope = 0.0 if dy == 0 else (x[b] - x[a]) / dy
        out[beyond] = x[a] + (ys[beyond] - y[a]) * slope
    return out
