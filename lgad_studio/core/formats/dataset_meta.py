"""``lgad_meta.json`` at a CULane root: what the CULane layout cannot say by itself.

Written by ``convert`` when the images are not 1640×590 (e.g. TuSimple's
1280×720, needed when labels were converted without their images) and when the
labels came from TuSimple, whose ``h_samples`` are kept so that converting back
gives every point exactly::

    {"image_size": [1280, 720],
     "tusimple_h_samples": {"default": [160, 170, ...], "by_entry": {"clips/x.jpg": [...]}}}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import LabelFormatError

META_FILE = "lgad_meta.json"


@dataclass(frozen=True)
class DatasetMeta:
    image_size: tuple[int, int] | None = None
    h_samples_default: tuple[int | float, ...] | None = None
    h_samples_by_entry: dict[str, tuple[int | float, ...]] = field(default_factory=dict)

    def h_samples(self, entry: str) -> tuple[int | float, ...] | None:
        return self.h_samples_by_entry.get(entry, self.h_samples_default)

    @classmethod
    def from_h_samples(
        cls, image_size: tuple[int, int] | None, per_entry: dict[str, tuple]
    ) -> DatasetMeta:
        """Keep the most common ``h_samples`` once and only the exceptions per entry."""
        if not per_entry:
            return cls(image_size)
        default = Counter(per_entry.values()).most_common(1)[0][0]
        others = {e: h for e, h in per_entry.items() if h != default}
        return cls(image_size, default, others)


def read_meta(root: Path) -> DatasetMeta:
    """The root's metadata; an empty :class:`DatasetMeta` when there is no file."""
    path = root / META_FILE
    if not path.is_file():
        return DatasetMeta()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        size = data.get("image_size")
        image_size = None if size is None else (int(size[0]), int(size[1]))
        hs = data.get("tusimple_h_samples") or {}
        default = hs.get("default")
        by_entry = {str(e): tuple(v) for e, v in (hs.get("by_entry") or {}).items()}
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, OSError) as exc:
        raise LabelFormatError(
            path,
            f'expected {{"image_size": [W, H], "tusimple_h_samples": {{"default": [...], '
            f'"by_entry": {{...}}}}}} ({type(exc).__name__}: {exc})',
        ) from None
    return DatasetMeta(image_size, None if default is None else tuple(default), by_entry)


def write_meta(root: Path, meta: DatasetMeta) -> None:
    data: dict = {}
    if meta.image_size is not None:
        data["image_size"] = list(meta.image_size)
    if meta.h_samples_default is not None or meta.h_samples_by_entry:
        data["tusimple_h_samples"] = {
            "default": None if meta.h_samples_default is None else list(meta.h_samples_default),
            "by_entry": {e: list(h) for e, h in meta.h_samples_by_entry.items()},
        }
    atomic_write_text(root / META_FILE, json.dumps(data) + "\n")
