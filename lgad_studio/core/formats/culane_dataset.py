"""A CULane root opened as-is: its lists, ``.lines.txt`` labels, masks and existence flags.

Splits: ``train`` (``list/train_gt.txt``, else ``train.txt``), ``val`` (likewise),
``test`` (``list/test.txt``) and every ``list/test_split/test<N>_<category>.txt``.
Writing an entry's lanes rewrites its ``.lines.txt``, its
``laneseg_label_w16`` mask and, when the entry is listed there, its existence
flags in ``train_gt.txt``/``val_gt.txt`` (every other line kept byte for byte).

Slots on reading: when the file's lanes are in left-to-right order and as many
as the entry's existence flags, the flags give their slots (so a slot chosen in
the editor survives a save); otherwise the automatic rule of METHOD.md section 3.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.formats.culane_lines import read_label_map, write_label_map
from lgad_studio.core.formats.culane_lists import (
    LIST_DIR,
    TEST_SPLIT_DIR,
    mask_entry,
    normalize_entry,
    numbered_gt_rows,
    read_image_list,
    read_list_text,
    split_category,
)
from lgad_studio.core.formats.dataset_meta import read_meta
from lgad_studio.core.formats.dataset_types import DatasetError
from lgad_studio.core.formats.lines_dataset import LinesTxtDataset
from lgad_studio.core.lanes import LaneSet

_LIST_NAMES = ("train_gt.txt", "val_gt.txt", "train.txt", "val.txt", "test.txt")


def is_culane_root(path: Path) -> bool:
    """True when ``path/list`` holds at least one CULane list file."""
    list_dir = path / LIST_DIR
    if not list_dir.is_dir():
        return False
    if any((list_dir / name).is_file() for name in _LIST_NAMES):
        return True
    return any((list_dir / TEST_SPLIT_DIR).glob("*.txt"))


@dataclass
class _GtFile:
    """A ``*_gt.txt`` held in memory so that one entry's flags can be rewritten quickly."""

    path: Path
    signature: tuple[int, int, int]
    lines: list[str]
    index: dict[str, int] = field(default_factory=dict)  # entry -> position in lines
    entries: list[str] = field(default_factory=list)


class CulaneDataset(LinesTxtDataset):
    kind = "culane"

    def __init__(self, root: str | Path, *, strict: bool = True) -> None:
        super().__init__(root, strict=strict)
        if not is_culane_root(self.root):
            raise DatasetError(f"{self.root}: expected a CULane root with list/*.txt")
        self._list_dir = self.root / LIST_DIR
        self._gt_paths = [(name, self._list_dir / name) for name in ("train_gt.txt", "val_gt.txt")]
        self._gt: dict[str, _GtFile] = {}
        self._categories: dict[str, str] | None = None
        self._read_meta()

    def _read_meta(self) -> None:
        self.meta = read_meta(self.root)
        if self.meta.image_size is not None:
            self.default_image_size = self.meta.image_size

    def tusimple_h_samples(self, entry: str) -> tuple | None:
        """The TuSimple rows this entry came with (``lgad_meta.json``), ``None`` if unknown."""
        return self.meta.h_samples(normalize_entry(entry))

    # -- splits ---------------------------------------------------------------------------
    def _split_files(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for name in ("train", "val"):
            for candidate in (f"{name}_gt.txt", f"{name}.txt"):
                if (self._list_dir / candidate).is_file():
                    files[name] = self._list_dir / candidate
                    break
        if (self._list_dir / "test.txt").is_file():
            files["test"] = self._list_dir / "test.txt"
        tests = sorted((self._list_dir / TEST_SPLIT_DIR).glob("*.txt"), key=_test_split_key)
        for path in tests:
            files[path.stem] = path
        return files

    def split_names(self) -> list[str]:
        return list(self._split_files())

    def _load_split(self, split: str) -> list[str]:
        path = self._split_files()[split]
        if path.name.endswith("_gt.txt"):
            return list(self._gt_file(path.name).entries)
        return read_image_list(path, strict=self.strict, problems=self.problems)

    def category(self, entry: str) -> str | None:
        """The test category (``"night"``, ``"crowd"``, ...) of an entry, ``None`` if it has none."""
        if self._categories is None:
            categories: dict[str, str] = {}
            for split in self.split_names():
                name = split_category(split)
                if name is not None:
                    categories.update(dict.fromkeys(self.entries(split), name))
            self._categories = categories
        return self._categories.get(normalize_entry(entry))

    # -- files ----------------------------------------------------------------------------
    def mask_path(self, entry: str) -> Path:
        return self.root / mask_entry(entry)

    def read_mask(self, entry: str) -> np.ndarray:
        """The entry's ``laneseg_label_w16`` mask, ``uint8 (H, W)`` slot values 0-4."""
        return read_label_map(self.mask_path(entry))

    # -- existence flags ------------------------------------------------------------------
    def _gt_file(self, name: str) -> _GtFile:
        path = self._list_dir / name
        return self._gt_file_at(path, name, _signature(path))

    def _gt_file_at(self, path: Path, name: str, signature: tuple[int, int, int]) -> _GtFile:
        cached = self._gt.get(name)
        if cached is not None and cached.signature == signature:
            return cached
        lines = read_list_text(path).splitlines()
        gt = _GtFile(path, signature, lines)
        for number, row in numbered_gt_rows(lines, path, self.strict, self.problems):
            gt.index.setdefault(row.entry, number - 1)
            gt.entries.append(row.entry)
        self._gt[name] = gt
        return gt

    def existence(self, entry: str) -> tuple[int, int, int, int] | None:
        """The entry's flags in ``train_gt.txt`` or ``val_gt.txt``; ``None`` when in neither."""
        entry = normalize_entry(entry)
        for name, path in self._gt_paths:
            signature = _file_signature(path)  # one stat a call: the loader asks once per item
            if signature is None:
                continue
            gt = self._gt_file_at(path, name, signature)
            position = gt.index.get(entry)
            if position is not None:
                return tuple(int(f) for f in gt.lines[position].split()[2:6])  # type: ignore[return-value]
        return None

    def _set_existence(self, entry: str, flags: tuple[int, int, int, int]) -> None:
        entry = normalize_entry(entry)
        wanted = [str(f) for f in flags]
        for name in ("train_gt.txt", "val_gt.txt"):
            if not (self._list_dir / name).is_file():
                continue
            gt = self._gt_file(name)
            position = gt.index.get(entry)
            if position is None:
                continue
            fields = gt.lines[position].split()
            if fields[2:6] == wanted:
                continue
            gt.lines[position] = " ".join(fields[:2] + wanted)
            atomic_write_text(gt.path, "".join(line + "\n" for line in gt.lines))
            gt.signature = _signature(gt.path)

    # -- labels ---------------------------------------------------------------------------
    def _with_slots(self, entry: str, lanes: LaneSet) -> LaneSet:
        flags = self.existence(entry)
        if flags is None or sum(flags) != len(lanes) or not _left_to_right(lanes):
            return lanes.with_auto_slots()
        slots = [s for s in range(1, 5) if flags[s - 1]]
        return LaneSet(
            tuple(ln.with_slot(s) for ln, s in zip(lanes, slots, strict=True)),
            image_size=lanes.image_size,
        )

    def write_lanes(self, entry: str, lanes: LaneSet) -> None:
        """Write ``.lines.txt``, the ``laneseg_label_w16`` mask and the list flags, each atomically."""
        super().write_lanes(entry, lanes)
        write_label_map(self.mask_path(entry), lanes)
        self._set_existence(entry, lanes.existence())


def _left_to_right(lanes: LaneSet) -> bool:
    bottom = lanes.image_size[1] - 1
    xs = [lane.x_at(bottom) for lane in lanes]
    return all(not math.isnan(x) for x in xs) and all(
        a < b for a, b in zip(xs[:-1], xs[1:], strict=True)
    )


def _signature(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _file_signature(path: Path) -> tuple[int, int, int] | None:
    """:func:`_signature` of a regular file; ``None`` where ``path.is_file()`` is False."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _test_split_key(path: Path) -> tuple[int, str]:
    head = path.stem.partition("_")[0]
    number = int(head[4:]) if head.startswith("test") and head[4:].isdigit() else 1 << 30
    return (number, path.stem)
