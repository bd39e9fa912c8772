"""``lgad-studio predict``: a predictor's lanes for a list of images, as the official tools read them.

Two outputs, both what the official evaluators read:

- ``culane``: ``OUT/<entry without extension>.lines.txt`` per image, one lane per
  line (slot order), read back bit for bit by ``lgad-studio evaluate culane``;
- ``tusimple``: one JSON-lines file ``OUT``, a record per image with its
  ``raw_file``, its ``h_samples``, one x per h_sample for each lane (``-2`` where
  the lane has no point) and ``run_time`` (ms: the wall time of the image's
  batch -- reading, inference, decoding -- divided by the batch size), read by
  ``lgad-studio evaluate tusimple``. On TuSimple datasets lanes are decoded on
  the records' own ``h_samples``.

With ``score`` the same run also matches every image with its ground truth
(:func:`~.scoring.score_entries`), so the printed counts are exactly what
``evaluate culane`` reports on the written files.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.errors import StudioError
from lgad_studio.core.evaluation.scoring import score_entries
from lgad_studio.core.evaluation.truth import sample_rows
from lgad_studio.core.events import Progress
from lgad_studio.core.formats.culane_lines import write_lines_txt
from lgad_studio.core.formats.tusimple import MISSING_X
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.metrics.culane_files import lines_path
from lgad_studio.core.metrics.scores import Scores

OUTPUTS = ("culane", "tusimple")


@dataclass(frozen=True)
class PredictSummary:
    images: int
    out: Path
    output: str
    scores: Scores | None = None  # pooled CULane counts when scored


def tusimple_lanes(lanes: LaneSet, h_samples: Sequence[float]) -> list[list[float]]:
    """One x per h_sample for each lane with points on those rows (``-2`` where it has none)."""
    row_of = {float(y): j for j, y in enumerate(h_samples)}
    out = []
    for lane in lanes.lanes:
        xs: list[float] = [MISSING_X] * len(h_samples)
        for x, y in lane.points.tolist():
            j = row_of.get(float(y))
            if j is not None:
                xs[j] = round(float(x), 3)
        if any(x != MISSING_X for x in xs):
            out.append(xs)
    return out


def default_output(dataset) -> str:
    return "tusimple" if getattr(dataset, "kind", "") == "tusimple" else "culane"


def predict_dataset(
    predictor,
    dataset,
    split: str | Sequence[str],
    out: str | Path,
    *,
    output: str | None = None,
    score: bool = False,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 8,
    device: str = "auto",
    threads: int | None = None,
) -> Iterator[Progress]:
    """Write the predictions of a split's (or the given) entries; returns a :class:`PredictSummary`.

    ``predictor`` is a checkpoint path or any predictor object. Yields a
    :class:`Progress` after each batch; stops before the next batch when
    ``cancel`` is set (what was written stays; a TuSimple file is written at the end).
    """
    output = output or default_output(dataset)
    if output not in OUTPUTS:
        raise StudioError(f"output {output!r} unknown, expected one of {OUTPUTS}")
    if isinstance(predictor, (str, Path)):
        from lgad_studio.core.inference import LanePredictor

        predictor = LanePredictor.from_checkpoint(predictor, device=device)
    entries = list(dataset.entries(split) if isinstance(split, str) else split)
    if output == "tusimple" and not hasattr(dataset, "raw_file"):
        raise StudioError(
            f"{dataset.root}: TuSimple predictions need a TuSimple dataset (its h_samples)"
        )
    out = Path(out)
    total = len(entries)
    records: list[str] = []
    tp = fp = fn = written = 0
    tick = time.perf_counter()
    for image in score_entries(
        [predictor], dataset, entries, batch_size=batch_size, score=score, cancel=cancel,
        threads=threads,
    ):  # fmt: skip
        (prediction,) = image.predictions
        done = written = image.index + 1
        batch_end = done % batch_size == 0 or done == total
        if output == "culane":
            path = lines_path(out, image.entry)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_lines_txt(path, prediction.lanes)
        else:
            records.append((image.entry, prediction.lanes))
        if score:
            a, b, c = image.counts()
            tp, fp, fn = tp + a, fp + b, fn + c
        if batch_end:
            now = time.perf_counter()
            if output == "tusimple":
                first = len(records) - ((done - 1) % batch_size + 1)
                ms = 1000.0 * (now - tick) / (len(records) - first)
                records[first:] = [_tusimple_line(dataset, e, ln, ms) for e, ln in records[first:]]
            tick = now
            if progress is not None:
                progress(done, total)
            yield Progress(done, total, image.entry)
    if output == "tusimple":
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, "".join(line + "\n" for line in records))
    scores = Scores(tp, fp, fn) if score else None
    return PredictSummary(written, out, output, scores)


def _tusimple_line(dataset, entry: str, lanes: LaneSet, run_time_ms: float) -> str:
    rows = sample_rows(dataset, entry) or ()
    h_samples = [int(y) if float(y).is_integer() else y for y in rows]
    record = {
        "raw_file": dataset.raw_file(entry),
        "lanes": tusimple_lanes(lanes, rows),
        "h_samples": h_samples,
        "run_time": round(run_time_ms, 3),
    }
    return json.dumps(record)
