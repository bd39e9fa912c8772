"""Shared base of the datasets whose labels are CULane ``.lines.txt`` files next to the images.

Handles image paths, image reading, per-entry image sizes (probed from file
headers and cached) and reading/writing the ``.lines.txt``; subclasses add
their lists, masks and split names.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np

from lgad_studio.core.errors import Problem
from lgad_studio.core.formats.culane_lines import read_lane_records, write_lines_txt
from lgad_studio.core.formats.culane_lists import normalize_entry
from lgad_studio.core.formats.dataset_types import DatasetError
from lgad_studio.core.formats.images import ImageSizes
from lgad_studio.core.lanes import CULANE_SIZE, Lane, LaneSet


class LinesTxtDataset:
    """Entries are image paths relative to ``root``; labels are ``<image stem>.lines.txt``."""

    kind = ""

    def __init__(self, root: str | Path, *, strict: bool = True) -> None:
        self.root = Path(root)
        self.strict = strict
        self.problems: list[Problem] = []
        self._sizes = ImageSizes(self.image_path, CULANE_SIZE)
        self._splits: dict[str, list[str]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"

    # -- splits ---------------------------------------------------------------------------
    def split_names(self) -> list[str]:
        raise NotImplementedError

    def _load_split(self, split: str) -> list[str]:
        raise NotImplementedError

    def entries(self, split: str) -> list[str]:
        """The entries of ``split`` (read once, then cached; a fresh list each call)."""
        if split not in self._splits:
            if split not in self.split_names():
                raise DatasetError(
                    f"{self.root}: no split {split!r}, expected one of {self.split_names()}"
                )
            self._splits[split] = self._load_split(split)
        return list(self._splits[split])

    def category(self, entry: str) -> str | None:
        return None

    # -- files ----------------------------------------------------------------------------
    def image_path(self, entry: str) -> Path:
        return self.root / normalize_entry(entry)

    def lines_path(self, entry: str) -> Path:
        name = PurePosixPath(normalize_entry(entry)).with_suffix(".lines.txt")
        return self.root / name

    def mask_path(self, entry: str) -> Path | None:
        return None

    def has_labels(self, entry: str) -> bool:
        return self.lines_path(entry).is_file()

    @property
    def default_image_size(self) -> tuple[int, int]:
        """The size assumed for an entry whose image is missing."""
        return self._sizes.default

    @default_image_size.setter
    def default_image_size(self, size: tuple[int, int]) -> None:
        self._sizes.default = size

    def image_size(self, entry: str) -> tuple[int, int]:
        """``(width, height)`` from the image header; the dataset default when the image is missing."""
        return self._sizes(entry)

    def read_image(self, entry: str) -> np.ndarray:
        """RGB ``uint8 (H, W, 3)``; :class:`LabelFormatError` naming the file when missing/unreadable."""
        return self._sizes.read(entry)

    # -- labels ---------------------------------------------------------------------------
    def read_lanes(
        self, entry: str, *, strict: bool = True, problems: list[Problem] | None = None
    ) -> LaneSet:
        """The entry's lanes with slots; an empty set when it has no ``.lines.txt`` yet."""
        size = self.image_size(entry)
        path = self.lines_path(entry)
        if not path.is_file():
            return LaneSet((), image_size=size)
        records = read_lane_records(path, strict=strict, problems=problems)
        lanes = LaneSet(tuple(Lane(p, source=line) for p, line in records), image_size=size)
        return self._with_slots(entry, lanes)

    def _with_slots(self, entry: str, lanes: LaneSet) -> LaneSet:
        return lanes.with_auto_slots()

    def write_lanes(self, entry: str, lanes: LaneSet) -> None:
        """Write the entry's ``.lines.txt`` atomically (slotted lanes first, in slot order)."""
        path = self.lines_path(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_lines_txt(path, lanes)
        self._sizes.remember(entry, lanes.image_size)
