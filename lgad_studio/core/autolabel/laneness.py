"""Where the model sees *a* lane: ``1 - background`` of its probability map, sampled in image pixels.

Used where the model's slot must not matter (refining a propagated lane, asking
whether a labelled lane runs where the model sees a lane). The map is widened
to the decoder's width first (:func:`~lgad_studio.core.inference.decode_map`),
rows are read between map rows linearly, columns and image x are related
through pixel centres as in :mod:`lgad_studio.core.decode`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lgad_studio.core.inference import DECODE_WIDTH, decode_map


def widen(prob_map: np.ndarray, *, width: int = DECODE_WIDTH) -> np.ndarray:
    """``float32 [5, h, w]`` -> ``[5, h', width]`` bilinearly, as the decoder does (wider: as is)."""
    tensor = torch.from_numpy(np.ascontiguousarray(prob_map, dtype=np.float32)[None])
    return decode_map(tensor, width=width)[0].numpy()


@dataclass(frozen=True, eq=False)
class Laneness:
    """``grid`` is ``float64 [h, w]`` lane-ness of an image of ``image_size = (W, H)``."""

    grid: np.ndarray
    image_size: tuple[int, int]

    @classmethod
    def from_wide(cls, wide: np.ndarray, image_size: tuple[int, int]) -> Laneness:
        return cls(1.0 - wide[0].astype(np.float64), image_size)

    def row(self, y: float) -> np.ndarray:
        """The lane-ness on image row ``y``, linear between the two nearest map rows."""
        h = len(self.grid)
        fy = (y + 0.5) * h / self.image_size[1] - 0.5
        r0 = int(np.clip(np.floor(fy), 0, h - 1))
        r1 = min(r0 + 1, h - 1)
        w = float(np.clip(fy - r0, 0.0, 1.0))
        return (
            self.grid[r0] if r1 == r0 or w == 0.0 else (1 - w) * self.grid[r0] + w * self.grid[r1]
        )

    def peak_near(self, x: float, y: float, radius_px: float) -> tuple[float, float]:
        """``(x of the peak, its lane-ness)`` within ``radius_px`` of ``(x, y)`` on row ``y``.

        The peak is placed between columns by a parabola through it and its neighbours.
        """
        row = self.row(y)
        w = len(row)
        width = self.image_size[0]
        col = (x + 0.5) * w / width - 0.5
        radius = max(1, round(radius_px * w / width))
        lo, hi = max(0, round(col) - radius), min(w, round(col) + radius + 1)
        if lo >= hi:
            return x, 0.0
        peak = lo + int(np.argmax(row[lo:hi]))
        return (peak + _vertex(row, peak) + 0.5) * width / w - 0.5, float(row[peak])


def _vertex(row: np.ndarray, peak: int) -> float:
    """Sub-column offset in [-0.5, 0.5] of the parabola through the peak and its neighbours."""
    if peak == 0 or peak == len(row) - 1:
        return 0.0
    left, mid, right = row[peak - 1], row[peak], row[peak + 1]
    denom = left - 2 * mid + right
    return 0.0 if denom >= 0 else float(np.clip(0.5 * (left - right) / denom, -0.5, 0.5))
