"""A TuSimple JSON-lines file, or a folder of them, opened as a :class:`LaneDataset`.

A single file is one split, ``test`` when its name contains "test", else
``train``. A folder gives ``train`` (``label_data_*.json``) and ``test``
(``test_label.json``). Entries are the ``raw_file`` paths, relative to the
folder that holds the JSON. Writing an entry's lanes resamples them onto that
record's ``h_samples`` and rewrites its JSON file atomically, every other line
kept byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import Problem
from lgad_studio.core.formats.culane_lists import normalize_entry
from lgad_studio.core.formats.dataset import DatasetError, tusimple_label_files
from lgad_studio.core.formats.images import ImageSizes
from lgad_studio.core.formats.tusimple import (
    TUSIMPLE_SIZE,
    TusimpleRecord,
    lanes_to_record,
    read_tusimple,
    record_lanes,
)
from lgad_studio.core.lanes import LaneSet


@dataclass
class _Located:
    file: Path
    position: int  # index of the record's line in the file's lines
    record: TusimpleRecord


class TusimpleDataset:
    kind = "tusimple"

    def __init__(self, path: str | Path, *, strict: bool = True) -> None:
        path = Path(path)
        self.strict = strict
        self.problems: list[Problem] = []
        if path.is_file():
            self.root = path.parent
            split = "test" if "test" in path.stem.lower() else "train"
            self._files = {split: [path]}
        else:
            self.root = path
            self._files = tusimple_label_files(path)
            if not self._files:
                raise DatasetError(
                    f"{path}: expected TuSimple label_data_*.json or test_label.json files"
                )
        self._splits: dict[str, list[str]] = {}
        self._index: dict[str, _Located] = {}
        self._lines: dict[Path, list[str]] = {}
        self._sizes = ImageSizes(self.image_path, TUSIMPLE_SIZE)

    def __repr__(self) -> str:
        return f"TusimpleDataset({str(self.root)!r})"

    # -- splits ---------------------------------------------------------------------------
    def split_names(self) -> list[str]:
        return list(self._files)

    def entries(self, split: str) -> list[str]:
        if split not in self._files:
            raise DatasetError(
                f"{self.root}: no split {split!r}, expected one of {self.split_names()}"
            )
        if split not in self._splits:
            entries: list[str] = []
            for file in self._files[split]:
                entries.extend(self._load_file(file))
            self._splits[split] = entries
        return list(self._splits[split])

    def _load_file(self, file: Path) -> list[str]:
        records = read_tusimple(file, strict=self.strict, problems=self.problems)
        self._lines[file] = file.read_text(encoding="utf-8").splitlines()
        entries = []
        for record in records:
            entry = record.entry
            self._index.setdefault(entry, _Located(file, record.line - 1, record))
            entries.append(entry)
        return entries

    def _locate(self, entry: str) -> _Located:
        entry = normalize_entry(entry)
        if entry not in self._index:
            for split in self.split_names():
                self.entries(split)
        located = self._index.get(entry)
        if located is None:
            raise DatasetError(f"{self.root}: no TuSimple record for {entry!r}")
        return located

    def category(self, entry: str) -> str | None:
        return None

    # -- files ----------------------------------------------------------------------------
    def image_path(self, entry: str) -> Path:
        return self.root / normalize_entry(entry)

    def lines_path(self, entry: str) -> Path | None:
        return None

    def mask_path(self, entry: str) -> Path | None:
        return None

    def has_labels(self, entry: str) -> bool:
        try:
            self._locate(entry)
        except DatasetError:
            return False
        return True

    def h_samples(self, entry: str) -> tuple:
        """The rows this entry's lanes are sampled on."""
        return self._locate(entry).record.h_samples

    def image_size(self, entry: str) -> tuple[int, int]:
        return self._sizes(entry)

    def read_image(self, entry: str) -> np.ndarray:
        return self._sizes.read(entry)

    # -- labels ---------------------------------------------------------------------------
    def read_lanes(
        self, entry: str, *, strict: bool = True, problems: list[Problem] | None = None
    ) -> LaneSet:
        """The entry's lanes; records were checked when the split was read."""
        return record_lanes(self._locate(entry).record, image_size=self.image_size(entry))

    def write_lanes(self, entry: str, lanes: LaneSet) -> None:
        """Resample onto the record's ``h_samples`` and rewrite its JSON file atomically."""
        located = self._locate(entry)
        old = located.record
        record = lanes_to_record(old.raw_file, lanes, old.h_samples, **old.extra)
        lines = self._lines[located.file]
        lines[located.position] = record.to_json()
        atomic_write_text(located.file, "".join(line + "\n" for line in lines))
        located.record = record
