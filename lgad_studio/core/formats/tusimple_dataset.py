"""A TuSimple JSON-lines file, or a folder of them, opened as a :class:`LaneDataset`.

Splits (the validation convention, documented in the README):

- ``test``: ``test_label.json`` in a folder, or a single file whose name contains
  "test";
- ``val``: ``label_data_val.json`` when the folder has it (what
  ``lgad-studio convert --to tusimple`` writes for a validation split); else, in
  the TuSimple release (``label_data_0313/0531/0601.json``), ``label_data_0531.json``,
  the split LaneATT and later work validate on; else a fixed hold-out of the
  training records: those whose ``crc32(raw_file, HOLDOUT_SEED) % 10 == 0``
  (about 10 %, the same records whatever the file order; at least one when
  there are two or more records);
- ``train``: the other ``label_data_*.json`` records (a single training file
  given as the path is split the same way).

Entries are the ``raw_file`` paths, relative to the folder that holds the JSON.
Writing an entry's lanes resamples them onto that record's ``h_samples`` and
rewrites its JSON file atomically, every other line kept byte for byte.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import Problem
from lgad_studio.core.formats.culane_lists import normalize_entry
from lgad_studio.core.formats.dataset_types import DatasetError
from lgad_studio.core.formats.images import ImageSizes
from lgad_studio.core.formats.tusimple import (
    TUSIMPLE_SIZE,
    TusimpleRecord,
    lanes_to_record,
    read_tusimple,
    record_lanes,
)
from lgad_studio.core.lanes import LaneSet

VAL_FILE = "label_data_val.json"
RELEASE_VAL_FILE = "label_data_0531.json"
HOLDOUT_SEED = 20170313  # crc32 seed of the hold-out rule
HOLDOUT_EVERY = 10


def tusimple_label_files(folder: Path) -> dict[str, list[Path]]:
    """TuSimple label files of a folder by split (see the module docstring for ``val``).

    ``{"train": [...], "val": [...], "test": [...]}`` with the splits that have files;
    when ``val`` is a hold-out it lists the training files too.
    """
    splits: dict[str, list[Path]] = {}
    train = sorted(folder.glob("label_data_*.json"))
    names = [p.name for p in train]
    if VAL_FILE in names:
        splits["train"] = [p for p in train if p.name != VAL_FILE]
        splits["val"] = [folder / VAL_FILE]
    elif RELEASE_VAL_FILE in names and len(train) > 1:
        splits["train"] = [p for p in train if p.name != RELEASE_VAL_FILE]
        splits["val"] = [folder / RELEASE_VAL_FILE]
    elif train:
        splits["train"] = splits["val"] = train
    if not splits.get("train"):
        splits.pop("train", None)
    if (folder / "test_label.json").is_file():
        splits["test"] = [folder / "test_label.json"]
    return splits


def held_out(entries: list[str]) -> set[str]:
    """The hold-out rule's validation entries among training ``entries``."""

    def code(entry: str) -> int:
        return zlib.crc32(entry.encode("utf-8"), HOLDOUT_SEED)

    chosen = {e for e in entries if code(e) % HOLDOUT_EVERY == 0}
    if not chosen and len(entries) >= 2:
        chosen = {min(entries, key=code)}
    return chosen


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
            is_test = "test" in path.stem.lower()
            self._files = {"test": [path]} if is_test else {"train": [path], "val": [path]}
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
        self._entries_of: dict[Path, list[str]] = {}
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
            if split in ("train", "val") and self._files.get("val") == self._files.get("train"):
                holdout = held_out(entries)
                keep = (lambda e: e in holdout) if split == "val" else (lambda e: e not in holdout)
                entries = [e for e in entries if keep(e)]
            self._splits[split] = entries
        return list(self._splits[split])

    def _load_file(self, file: Path) -> list[str]:
        if file in self._entries_of:  # a hold-out reads the training files for two splits
            return list(self._entries_of[file])
        records = read_tusimple(file, strict=self.strict, problems=self.problems)
        self._lines[file] = file.read_text(encoding="utf-8").splitlines()
        entries = []
        for record in records:
            entry = record.entry
            self._index.setdefault(entry, _Located(file, record.line - 1, record))
            entries.append(entry)
        self._entries_of[file] = entries
        return list(entries)

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

    def raw_file(self, entry: str) -> str:
        """The record's ``raw_file`` exactly as written (what predictions must repeat)."""
        return self._locate(entry).record.raw_file

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
