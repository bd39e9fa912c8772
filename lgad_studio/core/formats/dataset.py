"""The dataset index every other part of the studio codes against, and :func:`open_dataset`.

A :class:`LaneDataset` lists the entries (image paths relative to its root) of
its splits and reads/writes one image's lanes at a time. Three kinds exist:

- ``"culane"``: a root in the real CULane layout (``list/*.txt``,
  ``driver_*/…/*.jpg`` with ``.lines.txt`` next to them, ``laneseg_label_w16/``);
- ``"tusimple"``: a TuSimple JSON-lines file, or a folder holding
  ``label_data_*.json`` (splits ``train`` and ``val``, see
  :mod:`~lgad_studio.core.formats.tusimple_dataset` for the validation convention)
  and/or ``test_label.json`` (split ``test``);
- ``"images"``: any folder of images, a new dataset whose labels are saved as
  CULane ``.lines.txt`` next to the images (split ``all``).

Images come back as RGB ``uint8 (H, W, 3)``; lanes as a
:class:`~lgad_studio.core.lanes.LaneSet` in the image's pixel frame.
"""

from __future__ import annotations

from pathlib import Path

from lgad_studio.core.errors import LabelFormatError
from lgad_studio.core.formats.culane_dataset import CulaneDataset, is_culane_root
from lgad_studio.core.formats.dataset_types import DatasetError, LaneDataset
from lgad_studio.core.formats.image_folder import ImageFolderDataset
from lgad_studio.core.formats.tusimple_dataset import TusimpleDataset, tusimple_label_files


def open_dataset(path: str | Path, *, strict: bool = True) -> LaneDataset:
    """Open a CULane root, a TuSimple JSON file or folder, or a plain folder of images.

    ``strict=False`` opens list files leniently: bad lines are skipped and recorded
    in the dataset's ``problems``. Raises :class:`DatasetError` for a path that is
    none of these, naming the path and what was expected.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder, expected a dataset")
    if path.is_file():
        if path.suffix.lower() in (".json", ".jsonl"):
            return TusimpleDataset(path, strict=strict)
        raise DatasetError(
            f"{path}: expected a TuSimple .json file, a CULane root or a folder of images"
        )
    if is_culane_root(path):
        return CulaneDataset(path, strict=strict)
    if tusimple_label_files(path):
        return TusimpleDataset(path, strict=strict)
    return ImageFolderDataset(path, strict=strict)


__all__ = ["DatasetError", "LabelFormatError", "LaneDataset", "open_dataset"]
