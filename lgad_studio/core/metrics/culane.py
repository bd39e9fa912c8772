"""CULane F1: per-image matching and counting, and totals pooled over images.

Semantics are the official evaluator's (``docs``: METHOD.md section 4): each
image's GT x detection similarity matrix (pixel IoU of 30-px lines, see
:mod:`.culane_raster`) is assigned by the official Kuhn-Munkres
(:mod:`.hungarian`); an assigned pair is a TP only if its IoU is strictly above
the threshold; FN = #GT - TP, FP = #det - TP; lanes of fewer than 2 points count
but never match. Counts are summed over images before precision, recall and F1.
Lanes are ``(N, 2)`` ``xy_image`` arrays in file order (indices in results refer
to that order). Images are prepared in batches (:mod:`.culane_batch`) and each
lane is drawn once (:mod:`.culane_raster`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lgad_studio.core.lanes import CULANE_SIZE
from lgad_studio.core.metrics.culane_batch import batch_plans
from lgad_studio.core.metrics.culane_raster import DEFAULT_WIDTH, mask_iou, rasterize_vertices
from lgad_studio.core.metrics.hungarian import official_assignment
from lgad_studio.core.metrics.parallel import parallel_map
from lgad_studio.core.metrics.scores import Scores

DEFAULT_IOU = 0.5
Lanes = Sequence[np.ndarray]


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
    (iou,) = _similarity_matrices([(gt, det)], width, image_size, approximate)
    return iou


def _similarity_matrices(
    images: Sequence[tuple[Lanes, Lanes]],
    width: int,
    image_size: tuple[int, int],
    approximate: bool,
) -> list[np.ndarray]:
    """One IoU matrix per image; the lanes of all images are prepared in one batch."""
    if approximate:
        from lgad_studio.core.metrics.culane_shapely import approximate_similarity

        return [approximate_similarity(g, d, width=width, image_size=image_size) for g, d in images]
    needed = [(g, d) if len(g) and len(d) else ((), ()) for g, d in images]
    plans = iter(batch_plans([lane for g, d in needed for lane in (*g, *d)]))
    out = []
    for (gt, det), (g_used, _) in zip(images, needed, strict=True):
        iou = np.zeros((len(gt), len(det)), dtype=np.float64)
        if len(g_used):
            masks = [
                None
                if plan is None
                else rasterize_vertices(plan[0], width=width, image_size=image_size, bounds=plan[1])
                for plan in (next(plans) for _ in range(len(gt) + len(det)))
            ]
            for i, a in enumerate(masks[: len(gt)]):
                for j, b in enumerate(masks[len(gt) :]):
                    iou[i, j] = mask_iou(a, b)
        out.append(iou)
    return out


def evaluate_images(
    images: Sequence[tuple[str | None, Lanes, Lanes]],
    *,
    width: int = DEFAULT_WIDTH,
    iou_threshold: float = DEFAULT_IOU,
    image_size: tuple[int, int] = CULANE_SIZE,
    approximate: bool = False,
) -> list[ImageResult]:
    """Match each ``(name, gt_lanes, det_lanes)`` image as the official tool does."""
    lanes = [
        (
            tuple(np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in gt),
            tuple(np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in det),
        )
        for _, gt, det in images
    ]
    ious = _similarity_matrices(lanes, width, image_size, approximate)
    results = []
    for (name, _, _), (gt, det), iou in zip(images, lanes, ious, strict=True):
        assignment: tuple[tuple[int, int, float], ...] = ()
        if gt and det:
            rows = official_assignment(iou)
            assignment = tuple((i, j, float(iou[i, j])) for i, j in enumerate(rows) if j >= 0)
        results.append(ImageResult(gt, det, iou, assignment, iou_threshold, name, approximate))
    return results


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
    (result,) = evaluate_images(
        [(name, gt, det)],
        width=width,
        iou_threshold=iou_threshold,
        image_size=image_size,
        approximate=approximate,
    )
    return result


CHUNK = 16  # images prepared in one batch: amortises NumPy call overhead


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
    threads share chunks of images (default: the caller's thread budget,
    :func:`lgad_studio.core.cpu.thread_budget`).
    """
    if isinstance(pairs, Mapping):
        items = [(str(k), g, d) for k, (g, d) in pairs.items()]
    else:
        items = [(None, g, d) for g, d in pairs]
    options = {
        "width": width,
        "iou_threshold": iou_threshold,
        "image_size": image_size,
        "approximate": approximate,
    }
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    done = parallel_map(lambda chunk: evaluate_images(chunk, **options), chunks, workers=workers)
    images = [r for chunk in done for r in chunk]
    return CulaneResult.pool(images, iou_threshold=iou_threshold, approximate=approximate)
