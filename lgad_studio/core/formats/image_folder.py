"""A plain folder of images opened as a new dataset: one split ``all``, labels as ``.lines.txt``.

Images are found recursively (hidden folders and ``laneseg_label_w16`` skipped)
and listed by their POSIX path relative to the folder, sorted.
"""

from __future__ import annotations

import os
from pathlib import Path

from lgad_studio.core.errors import Problem
from lgad_studio.core.formats.culane_lists import MASK_DIR
from lgad_studio.core.formats.dataset_types import DatasetError
from lgad_studio.core.formats.images import IMAGE_SUFFIXES
from lgad_studio.core.formats.lines_dataset import LinesTxtDataset

ALL_SPLIT = "all"


class ImageFolderDataset(LinesTxtDataset):
    """Any folder of images (``.jpg``, ``.jpeg``, ``.png``, ``.bmp``)."""

    kind = "images"

    def __init__(self, root: str | Path, *, strict: bool = True) -> None:
        super().__init__(root, strict=strict)
        if not self.root.is_dir():
            raise DatasetError(f"{self.root}: not a folder, expected a folder of images")
        images = self._load_split(ALL_SPLIT)
        if not images:
            message = (
                f"no images ({', '.join(IMAGE_SUFFIXES)}) found; expected a CULane root "
                "(with list/), a TuSimple JSON file or a folder of images"
            )
            if strict:
                raise DatasetError(f"{self.root}: {message}")
            self.problems.append(Problem(self.root, None, message))
        self._splits[ALL_SPLIT] = images

    def split_names(self) -> list[str]:
        return [ALL_SPLIT]

    def _load_split(self, split: str) -> list[str]:
        found: list[str] = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != MASK_DIR)
            rel = Path(folder).relative_to(self.root).as_posix()
            prefix = "" if rel == "." else rel + "/"
            found.extend(
                prefix + name
                for name in files
                if not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES
            )
        found.sort()
        return found

    def refresh(self) -> None:
        """Forget the cached listing (after images were added to the folder)."""
        self._splits.pop(ALL_SPLIT, None)
