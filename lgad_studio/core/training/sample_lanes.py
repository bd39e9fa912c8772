"""The lanes of one training sample as plain arrays: in the input frame, moved like the image.

:class:`LaneSamples` builds thousands of items per second; going through
:class:`~lgad_studio.core.lanes.LaneSet` for every step (scale, flip, affine) made
a frozen copy of every lane at each step. :class:`SampleLanes` holds the same
float64 points and slots and applies the same NumPy operations, in the same
order and shapes, as ``LaneSet.scaled``, ``LaneSet.mirrored`` and
``augment.move_lanes``, so the points are bit-identical; :meth:`SampleLanes.lane_set`
gives the :class:`LaneSet` where one is wanted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter

import numpy as np

from lgad_studio.core.label_render import draw_lane_labels
from lgad_studio.core.lanes import NUM_SLOTS, Lane, LaneSet


@dataclass(frozen=True)
class SampleLanes:
    """Lane vertices ``float64 (N, 2)`` in the ``size = (W, H)`` input frame, with their slots."""

    points: tuple[np.ndarray, ...]
    slots: tuple[int | None, ...]
    size: tuple[int, int]

    @classmethod
    def scaled(cls, lanes: LaneSet, source: tuple[int, int], size: tuple[int, int]) -> SampleLanes:
        """``lanes`` of a ``source`` ``(W0, H0)`` image scaled into ``size`` (as ``LaneSet.scaled``)."""
        factor = np.array([size[0] / source[0], size[1] / source[1]])
        return cls(
            tuple(lane.points * factor for lane in lanes),
            tuple(lane.slot for lane in lanes),
            (int(size[0]), int(size[1])),
        )

    def moved(self, flipped: bool, matrix: np.ndarray) -> SampleLanes:
        """Under "flip (``x -> W - 1 - x``, slots 1<->4, 2<->3), then the ``2x3`` ``matrix``"."""
        points, slots = self.points, self.slots
        if flipped:
            mirrored = []
            for pts in points:
                pts = pts.copy()
                pts[:, 0] = (self.size[0] - 1) - pts[:, 0]
                mirrored.append(pts)
            points = tuple(mirrored)
            slots = tuple(None if s is None else NUM_SLOTS + 1 - s for s in slots)
        linear, shift = matrix[:, :2].T, matrix[:, 2]
        return SampleLanes(tuple(pts @ linear + shift for pts in points), slots, self.size)

    def lane_set(self) -> LaneSet:
        return LaneSet(
            tuple(Lane(p, s) for p, s in zip(self.points, self.slots, strict=True)),
            image_size=self.size,
        )

    @cached_property
    def _drawn(self) -> list[tuple[int, np.ndarray]]:
        """``(slot, points)`` of the slotted lanes of 2 or more vertices, in slot order
        (asked for the label and the existence flags of every item: kept once made)."""
        pairs = zip(self.slots, self.points, strict=True)
        return sorted(
            ((s, p) for s, p in pairs if s is not None and len(p) >= 2), key=itemgetter(0)
        )

    def label(self, line_px: int) -> np.ndarray:
        """``uint8 (H, W)`` label, slot values 1-4 (as ``render_label_map`` at ``line_px``)."""
        drawn = self._drawn
        return draw_lane_labels(
            [p for _s, p in drawn], [s for s, _p in drawn], size=self.size, thickness=line_px
        )

    def existence(self, *, margin: float = 0.0) -> np.ndarray:
        """``float32 (4,)``: 1 for each slot whose lane has a vertex in the frame (+ ``margin``)."""
        exist = np.zeros(NUM_SLOTS, dtype=np.float32)
        drawn = self._drawn
        if not drawn:
            return exist
        pts = np.concatenate([p for _s, p in drawn])
        x, y = pts[:, 0], pts[:, 1]
        w, h = self.size
        inside = (x >= -margin) & (x < w + margin) & (y >= -margin) & (y < h + margin)
        lengths = [len(p) for _s, p in drawn]
        starts = np.cumsum(lengths) - lengths
        hit = np.logical_or.reduceat(inside, starts)
        exist[[s - 1 for s, _p in drawn]] = hit
        return exist
