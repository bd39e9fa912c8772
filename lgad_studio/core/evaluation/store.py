"""Lane-probability maps kept within a byte budget, least recently used dropped first.

An evaluation never keeps a probability map per image per checkpoint: for
CULane's 34,680 test images, three checkpoints at 800x288 that would be 24 GB.
The maps an evaluation produces and the ones recomputed on demand (when an image
is shown) go into one :class:`ProbMapStore`; a map that is not there any more is
recomputed from the image and the checkpoint.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np

DEFAULT_BUDGET_BYTES = 64 << 20


class ProbMapStore:
    """``uint8 [h, w]`` maps by key, at most ``budget_bytes`` in all (thread-safe)."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        if budget_bytes < 0:
            raise ValueError(f"budget_bytes must be >= 0, got {budget_bytes}")
        self.budget_bytes = int(budget_bytes)
        self._maps: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, key: Hashable, prob: np.ndarray) -> None:
        """Keep ``prob`` (a map larger than the whole budget is not kept)."""
        prob = np.ascontiguousarray(prob, dtype=np.uint8)
        with self._lock:
            old = self._maps.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            if prob.nbytes > self.budget_bytes:
                return
            self._maps[key] = prob
            self._bytes += prob.nbytes
            while self._bytes > self.budget_bytes:
                _, dropped = self._maps.popitem(last=False)
                self._bytes -= dropped.nbytes

    def get(self, key: Hashable) -> np.ndarray | None:
        """The map, marked as recently used; ``None`` when it was never kept or was dropped."""
        with self._lock:
            prob = self._maps.get(key)
            if prob is not None:
                self._maps.move_to_end(key)
            return prob

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._maps)
