"""What every dataset kind shares: the :class:`LaneDataset` protocol and :class:`DatasetError`.

Kept apart from :mod:`lgad_studio.core.formats.dataset` (which opens a path as
the right kind) so that the concrete dataset modules import these without
importing the module that imports them (no import cycle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from lgad_studio.core.errors import Problem, StudioError
from lgad_studio.core.lanes import LaneSet


class DatasetError(StudioError, ValueError):
    """A dataset that cannot be opened, or a split or entry it does not have."""


@runtime_checkable
class LaneDataset(Protocol):
    """What the editor, the trainer, the metrics and ``convert`` need from a dataset."""

    root: Path
    kind: str  # "culane" | "tusimple" | "images"
    problems: list[Problem]  # what a lenient open skipped (empty when strict)

    def split_names(self) -> list[str]: ...

    def entries(self, split: str) -> list[str]: ...

    def image_path(self, entry: str) -> Path: ...

    def image_size(self, entry: str) -> tuple[int, int]: ...

    def read_image(self, entry: str) -> np.ndarray: ...

    def read_lanes(
        self, entry: str, *, strict: bool = True, problems: list[Problem] | None = None
    ) -> LaneSet: ...

    def write_lanes(self, entry: str, lanes: LaneSet) -> None: ...

    def has_labels(self, entry: str) -> bool: ...

    def category(self, entry: str) -> str | None: ...

    def lines_path(self, entry: str) -> Path | None: ...

    def mask_path(self, entry: str) -> Path | None: ...
