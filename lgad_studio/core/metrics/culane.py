"""CULane F1: per-image matching and counting, pooled totals, F1 over IoU thresholds.

Semantics are the official evaluator's (``docs``: METHOD.md section 4): each
image's GT x detection similarity matrix (pixel IoU of 30-px lines, see
:mod:`.culane_raster`) is assigned by the official Kuhn-Munkres
(:mod:`.hungarian`); an assigned pair is a TP only if its IoU is strictly above
the threshold; FN = #GT - TP, FP = #det - TP; lanes of fewer than 2 points count
but never match. Counts are summed over images before precision, recall and F1.
Lanes are ``(N, 2)`` ``xy_image`` arrays in file order (indices in results refer
to that order).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from lgad_studio.core.lanes import CULANE_SIZE
from lgad_studio.core.metrics.culane_raster import DEFAULT_WIDTH, mask_iou, rasterize_lane
from lgad_studio.core.metrics.hungarian import official_assignment
from lgad_studio.core.metrics.scores import Scores

DEFAULT_IOU = 0.5
Lanes = Sequence[np.ndarray]
_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass(frozen=True, eq=False)
class ImageResult:
    """One image's evaluation: the lanes, their IoU matrix and the official assignment.

    ``iou`` is ``float64 (G, D)``; ``assignment`` lists every KM pair
    ``(gt_idx, det_idx, iou)`` whatever its IoU; ``matches`` keeps those above
    ``iou_threshold`` (the TPs).
    """

    gt: tuple[np.ndarray, ...]
    det: tuple[np.ndarray, ...]
    iou: np.ndarray
    assignment: tuple[tuple[int, int, float], ...]
    iou_threshold: float = DEFAULT_IOU
    name: str | None = None
    approximate: bool = False

    @property
    def matches(self) -> tuple[tuple[int, int, float], ...]:
        return tuple(m for m in self.assignment if m[2] > self.iou_threshold)

    @property
    def tp(self) -> int:
        return len(self.matches)

    @property
    def fp(self) -> int:
        return len(self.det) - self.tp

    @property
    def fn(self) -> int:
        return len(self.gt) - self.tp

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.tp, self.fp, self.fn

    @property
    def tp_gt(self) -> tuple[int, ...]:
        return tuple(g for g, _, _ in self.matches)

    @property
    def fn_gt(self) -> tuple[int, ...]:
        hit = set(self.tp_gt)
        return tuple(i for i in range(len(self.gt)) if i not in hit)

    @property
    def tp_det(self) -> tuple[int, ...]:
        return tuple(d for _, d, _ in self.matches)

    @property
    def fp_det(self) -> tuple[int, ...]:
        hit = set(self.tp_det)
        return tuple(j for j in range(len(self.det)) if j not in hit)

    def at_threshold(self, iou_threshold: float) -> ImageResult:
        """The same image rescored at another IoU threshold (the assignment does not change)."""
        return ImageResult(
            self.gt, self.det, self.iou, self.assignment, iou_threshold, self.name, self.approximate
        )


@dataclass(frozen=True, eq=False)
class CulaneResult(Scores):
    """Pooled counts (``tp``, ``fp``, ``fn``; ``precision``/``recall``/``f1`` from
    :class:`Scores`) and the per-image results, in input order."""

    images: tuple[ImageResult, ...] = ()
    iou_threshold: float = DEFAULT_IOU
    approximate: bool = False

    @classmethod
    def pool(
        cls, images: Iterable[ImageResult], *, iou_threshold: float, approximate: bool = False
    ) -> CulaneResult:
        images = tuple(images)
        tp = sum(r.tp for r in images)
        fp = sum(r.fp for r in images)
        fn = sum(r.fn for r in images)
        return cls(tp, fp, fn, images, iou_threshold, approximate)

    def by_name(self) -> dict[str, ImageResult]:
        return {r.name: r for r in self.images if r.name is not None}

    def per_image_counts(self) -> dict[str, list[int]]:
        """``{image name: [tp, fp, fn]}`` (the official tool's per-image tuple)."""
        return {r.name: list(r.counts) for r in self.images if r.name is not None}

    def at_threshold(self, iou_threshold: float) -> CulaneResult:
        images = (r.at_threshold(iou_threshold) for r in self.images)
        return CulaneResult.pool(images, iou_threshold=iou_threshold, approximate=self.approximate)


def similarity_matrix(
    gt: Lanes,
    det: Lanes,
    *,
    width: int = DEFAULT_WIDTH,
    image_size: tuple[int, int] = CULANE_SIZE,
    approximate: bool = False,
) -> np.ndarray:
    """``float64 (G, D)`` lane IoUs: official pixel IoU, or shapely areas if ``approximate``."""
    if approximate:
        from lgad_studio.core.metrics.culane_shapely import approximate_similarity

        return approximate_similarity(gt, det, width=width, image_size=image_size)
    out = np.zeros((len(gt), len(det)), dtype=np.float64)
    if not len(gt) or not len(det):
        return out
    gm = [rasterize_lane(p, width=width, image_size=image_size) for p in gt]
    dm = [rasterize_lane(p, width=width, image_size=image_size) for p in det]
    for i, a in enumerate(gm):
        for j, b in enumerate(dm):
            out[i, j] = mask_iou(a, b)
    return out


def evaluate_image(
    gt: Lanes,
    det: Lanes,
    *,
    width: int = DEFAULT_WIDTH,
    iou_threshold: float = DEFAULT_IOU,
    image_size: tuple[int, int] = CULANE_SIZE,
    approximate: bool = False,
    name: str | None = None,
) -> ImageResult:
    """Match one image's GT lanes and detections as the official tool does."""
    gt_t = tuple(np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in gt)
    det_t = tuple(np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in det)
    iou = similarity_matrix(
        gt_t, det_t, width=width, image_size=image_size, approximate=approximate
    )
    assignment: tuple[tuple[int, int, float], ...] = ()
    if gt_t and det_t:
        rows = official_assignment(iou)
        assignment = tuple((i, j, float(iou[i, j])) for i, j in enumerate(rows) if j >= 0)
    return ImageResult(gt_t, det_t, iou, assignment, iou_threshold, name, approximate)


def evaluate_culane(
    pairs: Iterable[tuple[Lanes, Lanes]] | Mapping[str, tuple[Lanes, Lanes]],
    *,
    width: int = DEFAULT_WIDTH,
    iou_threshold: float = DEFAULT_IOU,
    image_size: tuple[int, int] = CULANE_SIZE,
    approximate: bool = False,
    workers: int | None = None,
) -> CulaneResult:
    """CULane TP/FP/FN/P/R/F1 over ``(gt_lanes, det_lanes)`` pairs, one per image.

    A mapping ``{name: (gt, det)}`` names the per-image results. ``workers``
    threads share the images (default: up to 4; OpenCV drawing releases the GIL).
    """
    items = list(pairs.items()) if isinstance(pairs, Mapping) else list(enumerate(pairs))

    def one(item: tuple[object, tuple[Lanes, Lanes]]) -> ImageResult:
        key, (gt, det) = item
        return evaluate_image(
            gt,
            det,
            width=width,
            iou_threshold=iou_threshold,
            image_size=image_size,
            approximate=approximate,
            name=key if isinstance(key, str) else None,
        )

    images = parallel_map(one, items, workers=workers)
    return CulaneResult.pool(images, iou_threshold=iou_threshold, approximate=approximate)


def parallel_map(
    fn: Callable[[_T], _R], items: Sequence[_T], *, workers: int | None = None
) -> list[_R]:
    """``[fn(x) for x in items]`` on a small thread pool, order kept; errors propagate."""
    n = default_workers() if workers is None else max(1, int(workers))
    if n == 1 or len(items) < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=min(n, len(items))) as pool:
        return list(pool.map(fn, items, chunksize=1))


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
