"""Lane metrics identical to the official tools: CULane F1 (pixel IoU) and TuSimple accuracy."""

from __future__ import annotations

from lgad_studio.core.metrics.culane import (
    CulaneResult,
    ImageResult,
    evaluate_culane,
    evaluate_image,
    similarity_matrix,
)
from lgad_studio.core.metrics.culane_files import (
    SplitRow,
    SplitTable,
    evaluate_culane_dirs,
    evaluate_entries,
    evaluate_splits,
    read_eval_lanes,
)
from lgad_studio.core.metrics.culane_sweep import (
    DEFAULT_THRESHOLDS,
    ThresholdSweep,
    f1_over_thresholds,
)
from lgad_studio.core.metrics.scores import Scores, precision_recall_f1
from lgad_studio.core.metrics.tusimple import (
    TusimpleResult,
    bench_image,
    evaluate_tusimple,
    tusimple_bench,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "CulaneResult",
    "ImageResult",
    "Scores",
    "SplitRow",
    "SplitTable",
    "ThresholdSweep",
    "TusimpleResult",
    "bench_image",
    "evaluate_culane",
    "evaluate_culane_dirs",
    "evaluate_entries",
    "evaluate_image",
    "evaluate_splits",
    "evaluate_tusimple",
    "f1_over_thresholds",
    "precision_recall_f1",
    "read_eval_lanes",
    "similarity_matrix",
    "tusimple_bench",
]
