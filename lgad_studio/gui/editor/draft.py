"""An in-progress lane: an immutable list of clicked vertices that becomes a ``Lane`` on commit.

The canvas replaces its draft on every click (``draft = draft.added(x, y)``), so
an Esc simply drops it and nothing half-drawn ever reaches the lane set or the
undo stack. Points are ``xy_image`` (image pixels, pixel centres at integers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lgad_studio.core.lanes import Lane

MIN_LANE_POINTS = 2


@dataclass(frozen=True)
class LaneDraft:
    """Vertices clicked so far, in click order."""

    points: tuple[tuple[float, float], ...] = ()

    def __len__(self) -> int:
        return len(self.points)

    def added(self, x: float, y: float) -> LaneDraft:
        """The draft with one more vertex; a click on the previous vertex is ignored.

        Two equal consecutive vertices would make the evaluator's spline produce
        NaN samples (a zero-length chord), so they are never recorded.
        """
        point = (float(x), float(y))
        if self.points and self.points[-1] == point:
            return self
        return LaneDraft(self.points + (point,))

    def without_last(self) -> LaneDraft:
        return LaneDraft(self.points[:-1])

    @property
    def can_finish(self) -> bool:
        return len(self.points) >= MIN_LANE_POINTS

    def as_array(self) -> np.ndarray:
        """The vertices as a float64 ``(N, 2)`` array (``(0, 2)`` when empty)."""
        return np.asarray(self.points, dtype=np.float64).reshape(-1, 2)

    def to_lane(self, slot: int | None = None) -> Lane:
        """The finished lane; raises ``ValueError`` below two vertices."""
        if not self.can_finish:
            raise ValueError(f"a lane needs at least {MIN_LANE_POINTS} vertices, got {len(self)}")
        return Lane(self.as_array(), slot)
