"""Dataset conversion: CULane, TuSimple or LabelMe in; CULane or TuSimple out.

A source yields one :class:`SourceItem` per image (its splits, lanes, image file
or embedded bytes, and TuSimple rows when known); a target writes them. Images
are copied unless ``labels_only``. Strict mode stops at the first bad file with
its name and line; lenient mode skips that image and lists why in the summary.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lgad_studio.core.errors import LabelFormatError, Problem, StudioError
from lgad_studio.core.formats.culane_lines import write_label_map, write_lines_txt
from lgad_studio.core.formats.culane_lists import mask_entry, split_category, write_culane_lists
from lgad_studio.core.formats.dataset import DatasetError, open_dataset
from lgad_studio.core.formats.dataset_meta import DatasetMeta, write_meta
from lgad_studio.core.formats.labelme import read_labelme
from lgad_studio.core.formats.lines_dataset import LinesTxtDataset
from lgad_studio.core.formats.tusimple import default_h_samples, lanes_to_record, write_tusimple
from lgad_studio.core.lanes import CULANE_SIZE, LaneSet

SOURCES = ("culane", "tusimple", "labelme")
TARGETS = ("culane", "tusimple")


@dataclass(frozen=True)
class SourceItem:
    entry: str
    splits: tuple[str, ...]
    lanes: LaneSet
    image: Path | None
    image_data: bytes | None = None
    h_samples: tuple | None = None


@dataclass
class ConvertSummary:
    source: str
    target: str
    images: int = 0
    lanes: int = 0
    copied: int = 0
    labels_only: int = 0
    skipped: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"converted {self.images} images with {self.lanes} lanes from {self.source} to "
            f"{self.target}: {self.copied} images copied, {self.labels_only} labels only, "
            f"{len(self.skipped)} skipped"
        )
        return text


def convert_dataset(
    src: str | Path,
    dst: str | Path,
    *,
    source: str,
    target: str,
    strict: bool = True,
    labels_only: bool = False,
    overwrite: bool = False,
) -> ConvertSummary:
    """Convert ``src`` (a ``source`` dataset) into ``dst`` (a ``target`` dataset)."""
    if source not in SOURCES or target not in TARGETS:
        raise StudioError(f"cannot convert {source} to {target}: expected {SOURCES} to {TARGETS}")
    src, dst = Path(src).expanduser(), Path(dst).expanduser()
    _check_destination(src, dst, overwrite=overwrite)
    summary = ConvertSummary(source, target)
    items = _SOURCES[source](src, strict, summary.skipped)
    kept = _with_images(items, strict=strict, labels_only=labels_only, summary=summary)
    _TARGETS[target](dst, kept, labels_only=labels_only, summary=summary)
    return summary


def _check_destination(src: Path, dst: Path, *, overwrite: bool) -> None:
    if dst.resolve() == src.resolve() or dst.resolve() in src.resolve().parents:
        raise StudioError(f"{dst}: the destination must not be the source or contain it")
    if not overwrite and dst.exists() and (dst.is_file() or any(dst.iterdir())):
        raise StudioError(
            f"{dst}: already exists and is not empty; choose a new path or pass --force"
        )


def _with_images(items, *, strict, labels_only, summary) -> Iterator[SourceItem]:
    for item in items:
        if (
            not labels_only
            and item.image_data is None
            and (item.image is None or not item.image.is_file())
        ):
            err = LabelFormatError(
                item.image or item.entry,
                "image file is missing; pass --labels-only to convert labels without images",
            )
            if strict:
                raise err
            summary.skipped.append(Problem.from_error(err))
            continue
        yield item


# -- sources --------------------------------------------------------------------------------
def _guarded(strict: bool, problems: list[Problem], read):
    """``read()``, or ``None`` with a problem recorded when lenient and the file is bad."""
    try:
        return read()
    except LabelFormatError as err:
        if strict:
            raise
        problems.append(Problem.from_error(err))
        return None


def _lines_items(src: Path, strict: bool, problems: list[Problem]) -> Iterator[SourceItem]:
    ds = open_dataset(src, strict=strict)
    if not isinstance(ds, LinesTxtDataset):
        raise DatasetError(f"{src}: a {ds.kind} dataset, expected a CULane root or image folder")
    membership: dict[str, list[str]] = {}
    for split in ds.split_names():
        for entry in ds.entries(split):
            membership.setdefault(entry, []).append(split)
    problems.extend(p for p in ds.problems if p not in problems)
    for entry, splits in membership.items():
        lanes = _guarded(strict, problems, lambda e=entry: _read(ds, e, strict, problems))
        if lanes is None:
            continue
        h_samples = ds.tusimple_h_samples(entry) if hasattr(ds, "tusimple_h_samples") else None
        yield SourceItem(entry, tuple(splits), lanes, ds.image_path(entry), None, h_samples)


def _read(ds, entry: str, strict: bool, problems: list[Problem]) -> LaneSet:
    return ds.read_lanes(entry, strict=strict, problems=problems)


def _tusimple_items(src: Path, strict: bool, problems: list[Problem]) -> Iterator[SourceItem]:
    ds = open_dataset(src, strict=strict)
    if ds.kind != "tusimple":
        raise DatasetError(f"{src}: a {ds.kind} dataset, expected a TuSimple .json file or folder")
    for split in ds.split_names():
        entries = ds.entries(split)
        problems.extend(p for p in ds.problems if p not in problems)
        for entry in entries:
            lanes = ds.read_lanes(entry)
            yield SourceItem(
                entry, (split,), lanes, ds.image_path(entry), None, ds.h_samples(entry)
            )


def _labelme_items(src: Path, strict: bool, problems: list[Problem]) -> Iterator[SourceItem]:
    root = src if src.is_dir() else src.parent
    files = sorted(src.rglob("*.json")) if src.is_dir() else [src]
    if not files:
        raise DatasetError(f"{src}: no LabelMe .json files found")
    for path in files:
        ann = _guarded(
            strict, problems, lambda p=path: read_labelme(p, strict=strict, problems=problems)
        )
        if ann is None:
            continue
        try:
            entry = ann.image_path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:  # the image lies outside the source folder: put it next to the JSON
            entry = path.relative_to(root).with_name(ann.image_path.name).as_posix()
        yield SourceItem(entry, ("all",), ann.lanes, ann.image_path, ann.image_data, None)


_SOURCES = {"culane": _lines_items, "tusimple": _tusimple_items, "labelme": _labelme_items}


# -- targets --------------------------------------------------------------------------------
def _place_image(
    item: SourceItem, target: Path, *, labels_only: bool, summary: ConvertSummary
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if labels_only:
        summary.labels_only += 1
    elif item.image is not None and item.image.is_file():
        if not (target.exists() and target.samefile(item.image)):
            shutil.copyfile(item.image, target)
        summary.copied += 1
    else:
        target.write_bytes(item.image_data or b"")
        summary.copied += 1
    summary.images += 1
    summary.lanes += len(item.lanes)


def _to_culane(dst: Path, items, *, labels_only: bool, summary: ConvertSummary) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    train, val, test, splits = [], [], [], {}
    sizes: Counter = Counter()
    h_samples: dict[str, tuple] = {}
    for item in items:
        _place_image(item, dst / item.entry, labels_only=labels_only, summary=summary)
        write_lines_txt((dst / item.entry).with_suffix(".lines.txt"), item.lanes)
        write_label_map(dst / mask_entry(item.entry), item.lanes)
        sizes[tuple(item.lanes.image_size)] += 1
        if item.h_samples is not None:
            h_samples[item.entry] = tuple(item.h_samples)
        flags = item.lanes.existence()
        in_test = False
        for split in item.splits:
            if split == "val":
                val.append((item.entry, flags))
            elif split == "test" or split_category(split) is not None:
                in_test = True
                if split != "test":
                    splits.setdefault(split, []).append(item.entry)
            else:  # train, all
                train.append((item.entry, flags))
        if in_test:
            test.append(item.entry)
    write_culane_lists(dst, train=train, val=val, test=test, test_splits=splits)
    size = sizes.most_common(1)[0][0] if sizes else CULANE_SIZE
    if size != CULANE_SIZE or h_samples:
        write_meta(dst, DatasetMeta.from_h_samples(size, h_samples))


def _to_tusimple(dst: Path, items, *, labels_only: bool, summary: ConvertSummary) -> None:
    single = dst.suffix.lower() in (".json", ".jsonl")
    folder = dst.parent if single else dst
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, list] = {}
    for item in items:
        _place_image(item, folder / item.entry, labels_only=labels_only, summary=summary)
        rows = item.h_samples or default_h_samples(item.lanes.image_size[1])
        record = lanes_to_record(item.entry, item.lanes, rows)
        name = dst.name if single else _tusimple_file_name(item.splits[0])
        files.setdefault(name, []).append(record)
    for name, records in files.items():
        write_tusimple(folder / name, records)
    if not files and single:
        write_tusimple(dst, [])


def _tusimple_file_name(split: str) -> str:
    if split == "test" or split_category(split) is not None:
        return "test_label.json"
    return f"label_data_{split}.json"


_TARGETS = {"culane": _to_culane, "tusimple": _to_tusimple}
