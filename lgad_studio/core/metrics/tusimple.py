"""TuSimple accuracy, FP and FN identical to the official ``LaneEval.bench_one_submit``.

Per image (``bench_image``): each GT lane's tolerance is ``20 / cos(theta)`` px,
theta the arctangent of the least-squares slope of x on y over its valid
points; negative x become -100 in both lanes, so rows missing in both count as
hits; a lane's accuracy is the share of ``h_samples`` within tolerance; each GT
lane takes its best prediction and is matched when that is >= 0.85. Penalties:
``run_time > 200`` ms or more than #GT + 2 predictions scores (0, 0, 1). With
more than 4 GT lanes the worst lane accuracy is dropped and FN lowered by one.
Accuracy, FP and FN are then averaged over the images of the GT file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.errors import LabelFormatError

PIXEL_THRESHOLD = 20.0
POINT_THRESHOLD = 0.85
MAX_RUN_TIME_MS = 200.0


@dataclass(frozen=True)
class TusimpleResult:
    """Means over images, and ``per_image``: ``{raw_file: (accuracy, fp, fn)}``."""

    accuracy: float
    fp: float
    fn: float
    per_image: Mapping[str, tuple[float, float, float]]

    def summary(self) -> dict[str, float]:
        return {"accuracy": self.accuracy, "fp": self.fp, "fn": self.fn}


def lane_angle(xs: np.ndarray, ys: np.ndarray) -> float:
    """Arctangent of the least-squares slope of x on y over the points with x >= 0."""
    valid = xs >= 0
    x, y = xs[valid], ys[valid]
    if len(x) <= 1:
        return 0.0
    yc = y - y.mean()
    denom = float(np.dot(yc, yc))
    slope = float(np.dot(yc, x - x.mean())) / denom if denom else 0.0
    return math.atan(slope)


def line_accuracy(pred: np.ndarray, gt: np.ndarray, threshold: float) -> float:
    """Share of rows where ``|pred - gt| < threshold`` (missing points are -100 in both)."""
    p = np.where(pred >= 0, pred, -100.0)
    g = np.where(gt >= 0, gt, -100.0)
    return float(np.sum(np.abs(p - g) < threshold)) / len(g)


def bench_image(
    pred: Sequence[Sequence[float]],
    gt: Sequence[Sequence[float]],
    y_samples: Sequence[float],
    run_time: float,
) -> tuple[float, float, float]:
    """One image's ``(accuracy, fp, fn)``; ``ValueError`` if a prediction's length is wrong."""
    if any(len(p) != len(y_samples) for p in pred):
        raise ValueError(f"a predicted lane does not have one x per h_sample ({len(y_samples)})")
    if run_time > MAX_RUN_TIME_MS or len(gt) + 2 < len(pred):
        return 0.0, 0.0, 1.0
    ys = np.asarray(y_samples, dtype=np.float64)
    preds = [np.asarray(p, dtype=np.float64) for p in pred]
    line_accs, fn, matched = [], 0.0, 0.0
    for x_gt in gt:
        xs = np.asarray(x_gt, dtype=np.float64)
        threshold = PIXEL_THRESHOLD / math.cos(lane_angle(xs, ys))
        best = max((line_accuracy(p, xs, threshold) for p in preds), default=0.0)
        if best < POINT_THRESHOLD:
            fn += 1
        else:
            matched += 1
        line_accs.append(best)
    fp = len(pred) - matched
    if len(gt) > 4 and fn > 0:
        fn -= 1
    total = sum(line_accs)
    if len(gt) > 4:
        total -= min(line_accs)
    return (
        total / max(min(4.0, len(gt)), 1.0),
        fp / len(pred) if len(pred) > 0 else 0.0,
        fn / max(min(len(gt), 4.0), 1.0),
    )


def evaluate_tusimple(
    preds: Iterable[Mapping[str, object]], gts: Iterable[Mapping[str, object]]
) -> TusimpleResult:
    """In-memory ``bench_one_submit`` over records ``{"raw_file", "lanes", "run_time"}``
    and GT records ``{"raw_file", "lanes", "h_samples"}``; a missing ``run_time`` is 0
    here (the file variant requires it, as the official script does)."""
    preds = [(n, {"run_time": 0.0, **rec}) for n, rec in enumerate(preds, 1)]
    return _evaluate(preds, list(enumerate(gts, 1)), "<predictions>", "<ground truth>")


def tusimple_bench(pred_path: str | Path, gt_path: str | Path) -> dict[str, float]:
    """``{"accuracy", "fp", "fn"}`` of a prediction JSON-lines file against a GT file."""
    preds, gts = read_json_lines(pred_path), read_json_lines(gt_path)
    return _evaluate(preds, gts, pred_path, gt_path).summary()


def _evaluate(
    preds: list[tuple[int, Mapping]],
    gts: list[tuple[int, Mapping]],
    pred_path: str | Path,
    gt_path: str | Path,
) -> TusimpleResult:
    for number, rec in gts:
        _require(rec, ("raw_file", "lanes", "h_samples"), gt_path, number)
    if len(preds) != len(gts):
        raise LabelFormatError(
            pred_path, f"{len(preds)} predictions, expected one per GT image ({len(gts)})"
        )
    by_file = {str(rec["raw_file"]): rec for _, rec in gts}
    per_image: dict[str, tuple[float, float, float]] = {}
    sums = [0.0, 0.0, 0.0]
    for number, rec in preds:
        _require(rec, ("raw_file", "lanes", "run_time"), pred_path, number)
        gt = by_file.get(str(rec["raw_file"]))
        if gt is None:
            msg = f"raw_file {rec['raw_file']!r} is not in the ground truth"
            raise LabelFormatError(pred_path, msg, line=number)
        try:
            scores = bench_image(rec["lanes"], gt["lanes"], gt["h_samples"], rec["run_time"])
        except (ValueError, TypeError) as exc:
            raise LabelFormatError(pred_path, f"lanes: {exc}", line=number) from None
        per_image[str(rec["raw_file"])] = scores
        sums = [s + v for s, v in zip(sums, scores, strict=True)]
    n = len(by_file)
    return TusimpleResult(sums[0] / n, sums[1] / n, sums[2] / n, per_image)


def _require(rec: object, keys: tuple[str, ...], path: str | Path, line: int) -> None:
    if not isinstance(rec, Mapping):
        raise LabelFormatError(path, "expected a JSON object per line", line=line)
    missing = [k for k in keys if k not in rec]
    if missing:
        raise LabelFormatError(path, f"missing field(s) {', '.join(missing)}", line=line)


def read_json_lines(path: str | Path) -> list[tuple[int, dict]]:
    """``(line number, object)`` of a JSON-lines file; blank lines are skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelFormatError(path, "file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFormatError(path, f"cannot read: {exc}") from None
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            out.append((number, json.loads(raw)))
        except json.JSONDecodeError as exc:
            raise LabelFormatError(path, f"invalid JSON: {exc.msg}", line=number) from None
    if not out:
        raise LabelFormatError(path, "no records, expected one JSON object per line")
    return out
