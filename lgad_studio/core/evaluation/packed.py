"""Many images' lanes in a few flat arrays: what an evaluation result keeps per checkpoint.

A lane set per image costs Python objects (a ``LaneSet``, a ``Lane`` and an array
per lane, about 1 kB an image); 34,680 images under three checkpoints would hold
100,000 of them. :class:`PackedLanes` keeps the points of all lanes in one
``float32 (P, 2)`` array (the metric reads lanes as float32, so nothing it sees
is lost) with the end offsets of each lane and of each image's lanes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lgad_studio.core.lanes import Lane, LaneSet


@dataclass(frozen=True, eq=False)
class PackedLanes:
    points: np.ndarray  # float32 (P, 2) xy_image points of every lane, lane after lane
    lane_ends: np.ndarray  # int64 (L,): lane l is points[lane_ends[l-1]:lane_ends[l]]
    slots: np.ndarray  # int8 (L,): the lane's slot 1-4, 0 for none
    image_ends: np.ndarray  # int64 (N,): image i has lanes image_ends[i-1]:image_ends[i]

    def __len__(self) -> int:
        return len(self.image_ends)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.points, self.lane_ends, self.slots, self.image_ends))

    def lane_points(self, index: int) -> list[np.ndarray]:
        """The ``float32 (n, 2)`` lanes of image ``index``."""
        first = int(self.image_ends[index - 1]) if index else 0
        last = int(self.image_ends[index])
        out = []
        for lane in range(first, last):
            start = int(self.lane_ends[lane - 1]) if lane else 0
            out.append(self.points[start : int(self.lane_ends[lane])])
        return out

    def lane_set(self, index: int, *, image_size: tuple[int, int]) -> LaneSet:
        """Image ``index``'s lanes as a :class:`LaneSet` (float64 points, slots as stored)."""
        first = int(self.image_ends[index - 1]) if index else 0
        slots = self.slots[first : int(self.image_ends[index])]
        lanes = tuple(
            Lane(pts.astype(np.float64), int(s) or None)
            for pts, s in zip(self.lane_points(index), slots, strict=True)
        )
        return LaneSet(lanes, image_size=image_size)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays under ``prefix`` names (for ``np.savez``)."""
        return {
            f"{prefix}points": self.points,
            f"{prefix}lane_ends": self.lane_ends,
            f"{prefix}slots": self.slots,
            f"{prefix}image_ends": self.image_ends,
        }

    @classmethod
    def from_arrays(cls, data, prefix: str) -> PackedLanes:
        return cls(
            np.asarray(data[f"{prefix}points"], dtype=np.float32).reshape(-1, 2),
            np.asarray(data[f"{prefix}lane_ends"], dtype=np.int64),
            np.asarray(data[f"{prefix}slots"], dtype=np.int8),
            np.asarray(data[f"{prefix}image_ends"], dtype=np.int64),
        )


class PackedLanesBuilder:
    """Appends one image's lanes at a time; chunks are joined every few thousand lanes."""

    _FLUSH = 4096

    def __init__(self) -> None:
        self._points: list[np.ndarray] = []
        self._lengths: list[int] = []
        self._slots: list[int] = []
        self._per_image: list[int] = []
        self._done: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def append(self, lanes: LaneSet) -> None:
        for lane in lanes.lanes:
            self._points.append(np.asarray(lane.points, dtype=np.float32).reshape(-1, 2))
            self._lengths.append(len(lane.points))
            self._slots.append(lane.slot or 0)
        self._per_image.append(len(lanes.lanes))
        if len(self._lengths) >= self._FLUSH:
            self._flush()

    def _flush(self) -> None:
        if not self._lengths:
            return
        self._done.append(
            (
                np.concatenate(self._points),
                np.asarray(self._lengths, dtype=np.int64),
                np.asarray(self._slots, dtype=np.int8),
            )
        )
        self._points, self._lengths, self._slots = [], [], []

    def build(self) -> PackedLanes:
        self._flush()
        if self._done:
            points = np.concatenate([d[0] for d in self._done])
            lengths = np.concatenate([d[1] for d in self._done])
            slots = np.concatenate([d[2] for d in self._done])
        else:
            points = np.zeros((0, 2), np.float32)
            lengths = np.zeros(0, np.int64)
            slots = np.zeros(0, np.int8)
        image_ends = np.cumsum(np.asarray(self._per_image, dtype=np.int64))
        return PackedLanes(points, np.cumsum(lengths), slots, image_ends)
