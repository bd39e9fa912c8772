"""The dataset index every other part of the studio codes against, and :func:`open_dataset`.

A :class:`LaneDataset` lists the entries (image paths relative to its root) of
its splits and reads/writes one image's lanes at a time. Three kinds exist:

- ``"culane"``: a root in the real CULane layout (``list/*.txt``,
  ``driver_*/…/*.jpg`` with ``.lines.txt`` next to them, ``laneseg_label_w16/``);
- ``"tusimple"``: a TuSimple JSON-lines file, or a folder holding
  ``label_data_*.json`` (split ``train``) and/or ``test_label.json`` (split ``test``);
- ``"images"``: any folder of images, a new dataset whose labels are saved as
  CULane ``.lines.txt`` next to the images (split ``all``).

Images come back as RGB ``uint8 (H, W, 3)``; lanes as a
:class:`~lgad_studio.core.lanes.LaneSet` in the image's pixel frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from lgad_studio.core.errors import LabelFormatError, Problem, StudioError
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


def open_dataset(path: str | Path, *, strict: bool = True) -> LaneDataset:
    """Open a CULane root, a TuSimple JSON file or folder, or a plain folder of images.

    ``strict=False`` opens list files leniently: bad lines are skipped and recorded
    in the dataset's ``problems``. Raises :class:`DatasetError` for a path that is
    none of these, naming the path and what was expected.
    """
    from lgad_studio.core.formats.culane_dataset import CulaneDataset, is_culane_root
    from lgad_studio.core.formats.image_folder import ImageFolderDataset

    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder, expected a dataset")
    if path.is_file():
        if path.suffix.lower() in (".json", ".jsonl"):
            from lgad_studio.core.formats.tusimple_dataset import TusimpleDataset

            return TusimpleDataset(path, strict=strict)
        raise DatasetError(
            f"{path}: expected a TuSimple .json file, a CULane root or a folder of images"
        )
    if is_culane_root(path):
        return CulaneDataset(path, strict=strict)
    if tusimple_label_files(path):
        from lgad_studio.core.formats.tusimple_dataset import TusimpleDataset

        return TusimpleDataset(path, strict=strict)
    return ImageFolderDataset(path, strict=strict)


def tusimple_label_files(folder: Path) -> dict[str, list[Path]]:
    """TuSimple label files of a folder by split: ``label_data_*.json`` -> train, ``test_label.json`` -> test."""
    splits: dict[str, list[Path]] = {}
    train = sorted(folder.glob("label_data_*.json"))
    if train:
        splits["train"] = train
    if (folder / "test_label.json").is_file():
        splits["test"] = [folder / "test_label.json"]
    return splits


__all__ = ["DatasetError", "LabelFormatError", "LaneDataset", "open_dataset"]
