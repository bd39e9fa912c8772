"""The ground truth an evaluation scores against: one rule, the official tool's.

Every annotated lane counts, in file order, lanes of fewer than 2 points
included: they never match, so they are misses (METHOD.md section 4). For
datasets that keep CULane ``.lines.txt`` files (CULane roots, image folders) the
file is read exactly as the official evaluator reads it
(:func:`lgad_studio.core.metrics.culane_files.read_eval_lanes`, a blank line is
a lane of 0 points, a missing file is an error naming it); other datasets
(TuSimple) give their lanes as stored.
"""

from __future__ import annotations

import numpy as np

from lgad_studio.core.metrics.culane_files import read_eval_lanes


def ground_truth(dataset, entry: str) -> tuple[np.ndarray, ...]:
    """``float64 (N, 2)`` ``xy_image`` lanes of ``entry``, every annotated lane in file order."""
    path = dataset.lines_path(entry)
    if path is not None:
        return tuple(read_eval_lanes(path))
    return tuple(np.asarray(lane.points, dtype=np.float64) for lane in dataset.read_lanes(entry))


def sample_rows(dataset, entry: str) -> tuple[float, ...] | None:
    """The image rows an entry's lanes are sampled on (TuSimple ``h_samples``), else ``None``."""
    rows = getattr(dataset, "h_samples", None)
    if rows is None:
        return None
    return tuple(float(y) for y in rows(entry))
