"""Mouse drags on the canvas as immutable values (no Qt): what is dragged and what it becomes.

A press on a handle starts a vertex drag; a press on a lane's curve starts a move of
the whole lane, or with Shift a bend. The drag holds the lane set it started from,
with the dragged lane already turned into its control points, so every mouse move
computes the result afresh (no accumulated error) and the release applies it as one
undoable step. A move or bend only counts once the mouse has travelled the
platform's drag distance, so a click that selects a lane never nudges it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.editor import edits

VERTEX, MOVE, BEND = "vertex", "move", "bend"
UNDO_TEXT = {VERTEX: "Move vertex", MOVE: "Move lane", BEND: "Bend lane"}


@dataclass(frozen=True)
class LaneDrag:
    """One drag in progress, in ``xy_image``; ``base`` is the lane set it started from."""

    kind: str  # vertex | move | bend
    lane: int
    base: LaneSet  # the dragged lane as control points
    start: tuple[float, float]
    vertex: int | None = None  # the dragged (vertex) or grabbed (bend) control point
    active: bool = False  # past the drag distance (vertex drags are active at once)

    @property
    def undo_text(self) -> str:
        return UNDO_TEXT[self.kind]

    def result(self, xy: tuple[float, float]) -> LaneSet:
        """The lanes if the drag ended at ``xy``."""
        if self.kind == VERTEX:
            assert self.vertex is not None
            return edits.with_vertex_moved(self.base, self.lane, self.vertex, xy)
        delta = (xy[0] - self.start[0], xy[1] - self.start[1])
        points = self.base[self.lane].points
        if self.kind == MOVE:
            return edits.with_points(self.base, self.lane, edits.translated(points, delta))
        assert self.vertex is not None
        return edits.with_points(self.base, self.lane, edits.bent(points, self.vertex, delta))


def vertex_drag(editable: LaneSet, lane: int, vertex: int, xy: tuple[float, float]) -> LaneDrag:
    return LaneDrag(VERTEX, lane, editable, xy, vertex=vertex, active=True)


def lane_drag(
    editable: LaneSet, lane: int, xy: tuple[float, float], *, bend: bool
) -> LaneDrag | None:
    """A move (or, with ``bend``, a bend grabbed at ``xy``) of lane ``lane``."""
    if not bend:
        return LaneDrag(MOVE, lane, editable, xy)
    started = edits.bend_start(editable[lane].points, xy)
    if started is None:
        return None
    points, grab = started
    base = edits.with_points(editable, lane, points)
    grabbed = tuple(float(v) for v in np.asarray(points)[grab])
    return LaneDrag(BEND, lane, base, grabbed, vertex=grab)  # type: ignore[arg-type]


class ControlPoints:
    """The control points of each lane shown, computed once per lane object and tolerance."""

    def __init__(self, *, tolerance_px: float) -> None:
        self.tolerance_px = float(tolerance_px)
        self._cache: dict[int, tuple[object, np.ndarray]] = {}  # id(lane) -> (lane, points)

    def of(self, lane) -> np.ndarray:
        cached = self._cache.get(id(lane))
        if cached is None or cached[0] is not lane:
            cached = (lane, edits.control_points(lane, tolerance_px=self.tolerance_px))
            self._cache[id(lane)] = cached  # holds the lane: its id cannot be reused
        return cached[1]

    def set_tolerance(self, tolerance_px: float) -> None:
        self.tolerance_px = float(tolerance_px)
        self._cache.clear()

    def clear(self) -> None:
        self._cache.clear()
