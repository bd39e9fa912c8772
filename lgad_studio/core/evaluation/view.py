"""What the Evaluate tab shows for one image: its pixels, the official match, the probability map.

Built in a background job from an :class:`~.result.EvaluationResult` (which keeps
no image and no match): the image is read, the match recomputed from the
ground truth and the stored lanes, and the lane probability map taken from the
result's byte-budgeted store or recomputed with the checkpoint (and put back).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.errors import StudioError
from lgad_studio.core.evaluation.result import EvaluationResult
from lgad_studio.core.events import Progress
from lgad_studio.core.metrics.culane import ImageResult


@dataclass(frozen=True, eq=False)
class ImageView:
    entry: str
    category: str
    checkpoint_index: int
    image: np.ndarray  # uint8 [H, W, 3] RGB
    result: ImageResult
    lane_prob: np.ndarray | None  # uint8 [h, w]; None when the checkpoint cannot be loaded
    note: str = ""  # why there is no probability map


def image_view(
    result: EvaluationResult,
    checkpoint_index: int,
    entry: str,
    *,
    predictors: MutableMapping[Path, object],
    device: str = "cpu",
) -> ImageView:
    """The view of ``entry`` under checkpoint ``checkpoint_index``; ``predictors`` caches loaded ones."""
    evaluation = result.checkpoints[checkpoint_index].image(entry)
    if evaluation is None:
        raise StudioError(f"{entry}: not in this evaluation of {result.split}")
    image = result.dataset.read_image(entry)
    match = evaluation.result
    prob, note = evaluation.lane_prob, ""
    if prob is None:
        path = result.infos[checkpoint_index].path
        try:
            predictor = predictors.get(path)
            if predictor is None:
                from lgad_studio.core.predictors import load_predictor

                predictor = predictors[path] = load_predictor(path, device=device)
            prob = predictor.predict(image).lane_probability()
            result.store.put((checkpoint_index, entry), prob)
        except StudioError as err:
            note = f"no probability map: {err}"
    return ImageView(entry, evaluation.category, checkpoint_index, image, match, prob, note)


def image_view_events(
    result: EvaluationResult,
    checkpoint_index: int,
    entry: str,
    *,
    predictors: MutableMapping[Path, object],
) -> Iterator[Progress]:
    """A job: one Progress, then returns the :class:`ImageView`."""
    yield Progress(0, 1, f"showing {entry}")
    return image_view(result, checkpoint_index, entry, predictors=predictors)


def load_result_events(
    path: str | Path, *, dataset=None, predictors: MutableMapping[Path, object] | None = None
) -> Iterator[Progress]:
    """A job: load a saved result (and open its dataset unless ``dataset`` has the same
    root); returns ``(result, ImageView of its first image under the first checkpoint)``,
    the view ``None`` for an empty result. ``predictors`` caches the loaded checkpoints."""
    yield Progress(0, 2, f"opening {Path(path).name}")
    loaded = EvaluationResult.load(path)
    if loaded.is_of(dataset):
        loaded.attach(dataset)
    else:
        _ = loaded.dataset  # open it here, not in the window's thread
    loaded.index_of("")  # and build the entry index here too (34,680 entries: 10 ms)
    yield Progress(1, 2, f"{len(loaded.entries)} images × {len(loaded.infos)} checkpoints")
    first = None
    if loaded.entries and loaded.infos:
        cache = predictors if predictors is not None else {}
        first = image_view(loaded, 0, loaded.entries[0], predictors=cache)
    yield Progress(2, 2, "ready")
    return loaded, first


def save_result_events(result: EvaluationResult, path: str | Path) -> Iterator[Progress]:
    """A job: save a result; returns the path written."""
    yield Progress(0, 1, f"saving {Path(path).name}")
    written = result.save(path)
    yield Progress(1, 1, f"saved {written}")
    return written
