"""An evaluation's result in bounded memory: counts and lanes in arrays, details on demand.

Per checkpoint it keeps each image's ``(tp, fp, fn)`` (``int32 (N, 3)``) and its
predicted lanes (:class:`~.packed.PackedLanes`); per image the entry, its size
and its category. That is about 1 kB per image and checkpoint, so CULane's
34,680 test images under three checkpoints fit in about 100 MB. What a view of
one image needs beyond that is recomputed when asked for: the official match
(:class:`~lgad_studio.core.metrics.culane.ImageResult`) from the ground truth
and the stored lanes, and the probability map from the byte-budgeted
:class:`~.store.ProbMapStore` or the checkpoint. A result is saved to and
loaded from one ``.npz`` file (no pickles), which the Evaluate tab opens.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from lgad_studio.core.atomic import atomic_open
from lgad_studio.core.errors import StudioError
from lgad_studio.core.evaluation.packed import PackedLanes
from lgad_studio.core.evaluation.store import ProbMapStore
from lgad_studio.core.formats.culane_lists import TEST_CATEGORIES
from lgad_studio.core.metrics.culane import ImageResult, evaluate_image
from lgad_studio.core.metrics.scores import Scores, f1_per_row, precision_recall_f1

TOTAL = "total"
UNCATEGORISED = "all"
FORMAT = "lgad-studio-evaluation"
FORMAT_VERSION = 1


def category_order(name: str) -> tuple[int, str]:
    """CULane's category order, other names after them."""
    if name in TEST_CATEGORIES:
        return TEST_CATEGORIES.index(name), name
    return len(TEST_CATEGORIES), name


@dataclass(frozen=True)
class CheckpointInfo:
    """Which model a column of the result is."""

    path: Path
    label: str  # "LGAD student · 20260101-120000-lgad/best"
    mode: str  # lgad | sad | none
    config: dict = field(default_factory=dict)
    input_size: tuple[int, int] = (0, 0)


@dataclass(frozen=True, eq=False)
class ImageEvaluation:
    """One image under one checkpoint; the match and probability map come on demand."""

    owner: EvaluationResult = field(repr=False)
    checkpoint_index: int
    index: int  # the image's position in the result

    @property
    def entry(self) -> str:
        return self.owner.entries[self.index]

    @property
    def category(self) -> str:
        return self.owner.category_of(self.index)

    @property
    def counts(self) -> tuple[int, int, int]:
        tp, fp, fn = self.owner.counts[self.checkpoint_index][self.index].tolist()
        return tp, fp, fn

    @property
    def f1(self) -> float:
        return precision_recall_f1(*self.counts)[2]

    @cached_property
    def result(self) -> ImageResult:
        """The official match, recomputed from the ground truth and the stored lanes."""
        return self.owner.match(self.checkpoint_index, self.index)

    @property
    def lane_prob(self) -> np.ndarray | None:
        """``uint8 [h, w]`` lane probability if the store still has it, else ``None``."""
        return self.owner.store.get((self.checkpoint_index, self.entry))


class _Images(Sequence):
    def __init__(self, owner: EvaluationResult, checkpoint_index: int) -> None:
        self._owner, self._k = owner, checkpoint_index

    def __len__(self) -> int:
        return len(self._owner.entries)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return ImageEvaluation(self._owner, self._k, i % len(self))


@dataclass(frozen=True, eq=False)
class CheckpointEvaluation:
    """One checkpoint's column of an :class:`EvaluationResult`."""

    owner: EvaluationResult = field(repr=False)
    index: int

    @property
    def info(self) -> CheckpointInfo:
        return self.owner.infos[self.index]

    checkpoint = property(lambda self: self.info.path)
    label = property(lambda self: self.info.label)
    mode = property(lambda self: self.info.mode)
    config = property(lambda self: self.info.config)

    @property
    def counts(self) -> np.ndarray:
        """``int32 (N, 3)`` per-image ``(tp, fp, fn)``."""
        return self.owner.counts[self.index]

    @property
    def images(self) -> Sequence[ImageEvaluation]:
        return _Images(self.owner, self.index)

    def f1_per_image(self) -> np.ndarray:
        return f1_per_row(self.counts)

    def image(self, entry: str) -> ImageEvaluation | None:
        index = self.owner.index_of(entry)
        return None if index is None else ImageEvaluation(self.owner, self.index, index)

    def by_category(self) -> dict[str, Scores]:
        """Pooled counts per category, in CULane order, then ``total`` over all images."""
        codes = self.owner.category_codes
        names = self.owner.category_names
        images = np.bincount(codes, minlength=len(names))  # (np.unique would import numpy.ma)
        present = sorted(np.flatnonzero(images).tolist(), key=lambda c: category_order(names[c]))
        sums = [
            np.bincount(codes, weights=self.counts[:, j], minlength=len(names)) for j in range(3)
        ]
        table = {
            names[c]: Scores(int(sums[0][c]), int(sums[1][c]), int(sums[2][c])) for c in present
        }
        tp, fp, fn = (int(v) for v in self.counts.sum(axis=0, dtype=np.int64))
        table[TOTAL] = Scores(tp, fp, fn)
        return table


class EvaluationResult:
    """Checkpoints x images of one split; see the module docstring."""

    def __init__(
        self,
        *,
        dataset_root: str | Path,
        split: str,
        entries: Sequence[str],
        categories: Sequence[str],
        image_sizes: np.ndarray,
        infos: Sequence[CheckpointInfo],
        counts: Sequence[np.ndarray],
        lanes: Sequence[PackedLanes],
        store: ProbMapStore | None = None,
        dataset=None,
    ) -> None:
        self.dataset_root = Path(dataset_root)
        self.split = split
        self.entries = tuple(entries)
        names = sorted(set(categories), key=category_order)
        lookup = {name: k for k, name in enumerate(names)}
        self.category_names = tuple(names)
        self.category_codes = np.asarray([lookup[c] for c in categories], dtype=np.int16)
        self.image_sizes = np.asarray(image_sizes, dtype=np.int32).reshape(-1, 2)
        self.infos = tuple(infos)
        self.counts = tuple(np.asarray(c, dtype=np.int32).reshape(-1, 3) for c in counts)
        self.lanes = tuple(lanes)
        self.store = store if store is not None else ProbMapStore()
        self._dataset = dataset
        self._index: dict[str, int] | None = None
        n = len(self.entries)
        if len(self.category_codes) != n or len(self.image_sizes) != n:
            raise ValueError("entries, categories and image sizes must have one row per image")
        for c, p in zip(self.counts, self.lanes, strict=True):
            if len(c) != n or len(p) != n:
                raise ValueError("every checkpoint needs counts and lanes for every image")

    # -- views ------------------------------------------------------------------------
    @property
    def checkpoints(self) -> tuple[CheckpointEvaluation, ...]:
        return tuple(CheckpointEvaluation(self, k) for k in range(len(self.infos)))

    def categories(self) -> list[str]:
        """Category names present, in CULane order, then ``total``."""
        return [*self.category_names, TOTAL]

    def category_of(self, index: int) -> str:
        return self.category_names[int(self.category_codes[index])]

    def index_of(self, entry: str) -> int | None:
        if self._index is None:
            self._index = {e: i for i, e in enumerate(self.entries)}
        return self._index.get(entry)

    @property
    def dataset(self):
        """The dataset the ground truth is read from (opened on first use)."""
        if self._dataset is None:
            from lgad_studio.core.formats.dataset import open_dataset

            self._dataset = open_dataset(self.dataset_root)
        return self._dataset

    def is_of(self, dataset) -> bool:
        """Whether ``dataset`` (or ``None``) is the one this result was computed on."""
        return dataset is not None and Path(dataset.root).resolve() == self.dataset_root.resolve()

    def attach(self, dataset) -> None:
        """Read the ground truth from this already open dataset (same root)."""
        self._dataset = dataset

    def match(self, checkpoint_index: int, index: int) -> ImageResult:
        """The official match of one image, from its ground truth and the stored lanes."""
        from lgad_studio.core.evaluation.truth import ground_truth

        entry = self.entries[index]
        width, height = (int(v) for v in self.image_sizes[index])
        return evaluate_image(
            ground_truth(self.dataset, entry),
            self.lanes[checkpoint_index].lane_points(index),
            image_size=(width, height),
            name=entry,
        )

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays (counts, lanes, sizes, categories), without the store."""
        arrays = [self.category_codes, self.image_sizes, *self.counts]
        return sum(a.nbytes for a in arrays) + sum(p.nbytes for p in self.lanes)

    # -- files --------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the result as one ``.npz`` (atomically); the store is not saved."""
        path = Path(path)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "dataset_root": str(self.dataset_root),
            "split": self.split,
            "categories": list(self.category_names),
            "checkpoints": [
                {
                    "path": str(i.path), "label": i.label, "mode": i.mode,
                    "config": i.config, "input_size": list(i.input_size),
                }
                for i in self.infos
            ],
        }  # fmt: skip
        arrays: dict[str, np.ndarray] = {
            "meta": np.asarray(json.dumps(meta)),
            "entries": np.asarray(self.entries, dtype=str),
            "category_codes": self.category_codes,
            "image_sizes": self.image_sizes,
        }
        for k, (counts, lanes) in enumerate(zip(self.counts, self.lanes, strict=True)):
            arrays[f"c{k}_counts"] = counts
            arrays.update(lanes.arrays(f"c{k}_"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb") as f:
            np.savez(f, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path, *, dataset=None, store: ProbMapStore | None = None):
        """A result written by :meth:`save`; a clear error for any other file."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != FORMAT:
                    raise KeyError("format")
                if int(meta.get("format_version", 0)) > FORMAT_VERSION:
                    raise StudioError(
                        f"{path}: evaluation format {meta['format_version']} is newer than "
                        f"this studio's {FORMAT_VERSION}; update LGAD Studio"
                    )
                names = meta["categories"]
                codes = np.asarray(data["category_codes"], dtype=np.int64)
                infos = [
                    CheckpointInfo(
                        Path(c["path"]), c["label"], c["mode"], dict(c["config"]),
                        (int(c["input_size"][0]), int(c["input_size"][1])),
                    )
                    for c in meta["checkpoints"]
                ]  # fmt: skip
                counts = [data[f"c{k}_counts"] for k in range(len(infos))]
                lanes = [PackedLanes.from_arrays(data, f"c{k}_") for k in range(len(infos))]
                return cls(
                    dataset_root=meta["dataset_root"],
                    split=meta["split"],
                    entries=data["entries"].tolist(),
                    categories=[names[c] for c in codes.tolist()],
                    image_sizes=data["image_sizes"],
                    infos=infos,
                    counts=counts,
                    lanes=lanes,
                    store=store,
                    dataset=dataset,
                )
        except FileNotFoundError:
            raise StudioError(f"{path}: no such evaluation result") from None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise StudioError(
                f"{path}: not an LGAD Studio evaluation result ({type(exc).__name__}: {exc}); "
                "expected a .npz written by the Evaluate tab or `lgad-studio evaluate checkpoints`"
            ) from None
