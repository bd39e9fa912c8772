"""The lane data model shared by the editor, the formats, the trainer and the metrics.

A lane is a float ``(N, 2)`` array of ``xy_image`` points (image pixels, x right,
y down). An image's lanes form a :class:`LaneSet`: at most four CULane slots,
numbered 1-4 from left to right, plus lanes that have no slot yet. Both classes
are frozen, so the editor's undo stack can keep snapshots and threads can share
them without locks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

NUM_SLOTS = 4
CULANE_SIZE = (1640, 590)  # (width, height) of a CULane image


def as_points(points: object) -> np.ndarray:
    """Return ``points`` as a read-only C-contiguous float64 ``(N, 2)`` array."""
    arr = np.array(points, dtype=np.float64, copy=True)
    if arr.size == 0:
        arr = arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"lane points must have shape (N, 2), got {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Lane:
    """One lane: its vertices in image pixels and its CULane slot (1-4) or ``None``.

    ``source`` is the lane's line of the ``.lines.txt`` it was read from, kept so that
    a lane nobody edited is written back byte for byte; any change of its points drops
    it (:meth:`with_points`). It takes no part in equality.
    """

    points: np.ndarray
    slot: int | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", as_points(self.points))
        if self.slot is not None and not 1 <= self.slot <= NUM_SLOTS:
            raise ValueError(f"lane slot must be 1..{NUM_SLOTS} or None, got {self.slot}")

    def __len__(self) -> int:
        return len(self.points)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Lane):
            return NotImplemented
        return self.slot == other.slot and np.array_equal(self.points, other.points)

    __hash__ = None  # type: ignore[assignment]

    def with_points(self, points: object) -> Lane:
        """The lane with other points: no longer the line it was read from."""
        return replace(self, points=points, source=None)

    def with_slot(self, slot: int | None) -> Lane:
        return replace(self, slot=slot)

    def sorted_bottom_up(self) -> Lane:
        """The same lane with its points ordered by decreasing y (CULane's habit)."""
        order = np.argsort(-self.points[:, 1], kind="stable")
        return self.with_points(self.points[order])

    def x_at(self, y: float) -> float:
        """x of the lane at row ``y``, linear between vertices and extrapolated beyond them."""
        pts = self.points[np.argsort(self.points[:, 1], kind="stable")]
        if len(pts) == 0:
            return float("nan")
        if len(pts) == 1:
            return float(pts[0, 0])
        ys, xs = pts[:, 1], pts[:, 0]
        if y <= ys[0]:
            i0, i1 = 0, 1
        elif y >= ys[-1]:
            i0, i1 = len(pts) - 2, len(pts) - 1
        else:
            return float(np.interp(y, ys, xs))
        dy = ys[i1] - ys[i0]
        if dy == 0:
            return float(xs[i1])
        return float(xs[i0] + (y - ys[i0]) * (xs[i1] - xs[i0]) / dy)


@dataclass(frozen=True)
class LaneSet:
    """The lanes of one image, in the ``xy_image`` frame of an image of ``image_size``."""

    lanes: tuple[Lane, ...] = ()
    image_size: tuple[int, int] = CULANE_SIZE  # (width, height)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lanes", tuple(self.lanes))
        slots = [lane.slot for lane in self.lanes if lane.slot is not None]
        if len(slots) != len(set(slots)):
            raise ValueError(f"two lanes share a slot: {sorted(slots)}")

    def __len__(self) -> int:
        return len(self.lanes)

    def __iter__(self):
        return iter(self.lanes)

    def __getitem__(self, index: int) -> Lane:
        return self.lanes[index]

    def by_slot(self) -> dict[int, Lane]:
        """Lanes that have a slot, keyed by slot number."""
        return {lane.slot: lane for lane in self.lanes if lane.slot is not None}

    def existence(self) -> tuple[int, int, int, int]:
        """CULane existence flags ``(e1, e2, e3, e4)`` of the four slots."""
        occupied = self.by_slot()
        return tuple(int(s in occupied) for s in range(1, NUM_SLOTS + 1))  # type: ignore[return-value]

    def in_slot_order(self) -> tuple[Lane, ...]:
        """Slotted lanes by slot, then unslotted lanes left to right at the bottom row."""
        slotted = sorted((ln for ln in self.lanes if ln.slot is not None), key=lambda ln: ln.slot)
        bottom = self.image_size[1] - 1
        free = sorted(
            (ln for ln in self.lanes if ln.slot is None), key=lambda ln: _nan_last(ln.x_at(bottom))
        )
        return tuple(slotted) + tuple(free)

    def replace_lane(self, index: int, lane: Lane) -> LaneSet:
        lanes = list(self.lanes)
        lanes[index] = lane
        return replace(self, lanes=tuple(lanes))

    def add(self, lane: Lane) -> LaneSet:
        return replace(self, lanes=self.lanes + (lane,))

    def remove(self, index: int) -> LaneSet:
        return replace(self, lanes=self.lanes[:index] + self.lanes[index + 1 :])

    def set_slot(self, index: int, slot: int | None) -> LaneSet:
        """Give lane ``index`` the slot; a lane that held it before loses it (the two swap)."""
        lanes = list(self.lanes)
        old = lanes[index].slot
        for i, other in enumerate(lanes):
            if i != index and slot is not None and other.slot == slot:
                lanes[i] = other.with_slot(old)
        lanes[index] = lanes[index].with_slot(slot)
        return replace(self, lanes=tuple(lanes))

    def with_auto_slots(self) -> LaneSet:
        """Every lane re-slotted by :func:`assign_slots`; lanes that get no slot keep ``None``."""
        slots = assign_slots([ln.points for ln in self.lanes], image_size=self.image_size)
        lanes = tuple(ln.with_slot(s) for ln, s in zip(self.lanes, slots, strict=True))
        return replace(self, lanes=lanes)

    def mirrored(self) -> LaneSet:
        """Horizontal flip: x -> W - 1 - x, slot s -> 5 - s (1<->4, 2<->3)."""
        width = self.image_size[0]
        lanes = []
        for ln in self.lanes:
            pts = ln.points.copy()
            pts[:, 0] = (width - 1) - pts[:, 0]
            lanes.append(Lane(pts, None if ln.slot is None else NUM_SLOTS + 1 - ln.slot))
        return replace(self, lanes=tuple(lanes))

    def scaled(self, sx: float, sy: float, image_size: tuple[int, int]) -> LaneSet:
        """Points scaled by ``(sx, sy)`` into an image of ``image_size``."""
        factor = np.array([sx, sy])
        lanes = tuple(ln.with_points(ln.points * factor) for ln in self.lanes)
        return replace(self, lanes=lanes, image_size=image_size)


def _nan_last(x: float) -> float:
    return float("inf") if np.isnan(x) else x


def lane_direction(points: np.ndarray) -> float:
    """dx/dy of a least-squares line x = a*y + b through the points (0 if undefined).

    In image coordinates a lane left of the ego vehicle leans right as it rises
    (dx/dy < 0); one on the right leans left (dx/dy > 0).
    """
    pts = np.asarray(points, dtype=np.float64)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2:
        return 0.0
    ys = pts[:, 1] - pts[:, 1].mean()
    denom = float(ys @ ys)
    if denom == 0.0:
        return 0.0
    return float(ys @ (pts[:, 0] - pts[:, 0].mean()) / denom)


def assign_slots(
    lanes: list[np.ndarray], *, image_size: tuple[int, int] = CULANE_SIZE
) -> list[int | None]:
    """CULane slots (1-4) for lanes given in any order; ``None`` for lanes that get none.

    Rule (METHOD.md section 3): sort the lanes left to right by their x at the
    bottom row; split them into left and right of the ego vehicle by the sign of
    their slope, falling back to the image centre for near-vertical or
    contradictory lanes; the left lane nearest the ego vehicle is slot 2, the
    one beyond it slot 1; on the right, slot 3 then slot 4. Lanes beyond two
    per side, and lanes with fewer than two finite points, get no slot.
    """
    width, height = image_size
    bottom = height - 1
    usable = [i for i, p in enumerate(lanes) if np.isfinite(np.asarray(p)).all(axis=1).sum() >= 2]
    x_bottom = {i: Lane(lanes[i]).x_at(bottom) for i in usable}
    order = sorted(usable, key=lambda i: x_bottom[i])
    is_left = [_leans_left(lanes[i], x_bottom[i], width) for i in order]
    # The split index k (lanes[:k] left, lanes[k:] right) that disagrees least with the
    # per-lane votes; ties go to the split nearest the image centre.
    centre_split = sum(1 for i in order if x_bottom[i] < width / 2)
    best_k = min(
        range(len(order) + 1),
        key=lambda k: (
            sum(not v for v in is_left[:k]) + sum(v for v in is_left[k:]),
            abs(k - centre_split),
        ),
    )
    slots: list[int | None] = [None] * len(lanes)
    for rank, i in enumerate(reversed(order[:best_k])):
        if rank < 2:
            slots[i] = 2 - rank
    for rank, i in enumerate(order[best_k:]):
        if rank < 2:
            slots[i] = 3 + rank
    return slots


def _leans_left(points: np.ndarray, x_bottom: float, width: int) -> bool:
    slope = lane_direction(points)
    if abs(slope) < 0.05:  # near-vertical: the slope says nothing, use the image centre
        return x_bottom < width / 2
    return slope < 0
