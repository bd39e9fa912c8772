"""The label map a label-map teacher is fed, rendered from ground-truth lanes.

One renderer and one line-width default for everything that feeds a teacher:
training (:class:`~lgad_studio.core.training.data.LaneSamples` draws the same map
for an un-augmented sample), validation of a teacher, and the attention view.
Lanes are scaled from their image frame to the network input size ``(W, H)`` and
drawn by :func:`~lgad_studio.core.formats.culane_lines.render_label_map` with the
width given in original-image pixels (``TrainConfig.label_line_width``, 30 px by
default) scaled to the input by :func:`~lgad_studio.core.training.data.label_line_px`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lgad_studio.core.formats.culane_lines import render_label_map
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.training.config import TrainConfig

DEFAULT_LABEL_LINE_WIDTH: float = TrainConfig.label_line_width  # the one default (30 px)


def input_label_map(
    lanes: LaneSet,
    *,
    input_size: tuple[int, int],
    line_width: float = DEFAULT_LABEL_LINE_WIDTH,
) -> np.ndarray:
    """``uint8 [H, W]`` (0 background, 1-4 slots) of ``lanes`` at ``input_size = (W, H)``.

    ``lanes`` are in the frame of their ``image_size``; ``line_width`` is in that
    frame's pixels.
    """
    from lgad_studio.core.training.data import label_line_px

    source = lanes.image_size
    w, h = input_size
    scaled = lanes.scaled(w / source[0], h / source[1], (w, h))
    width = label_line_px(float(line_width), source, (w, h))
    return render_label_map(scaled, size=(w, h), line_width=width)


def teacher_input(
    lane_sets: Sequence[LaneSet],
    *,
    input_size: tuple[int, int],
    encoding: str = "onehot",
    line_width: float = DEFAULT_LABEL_LINE_WIDTH,
):
    """The teacher's input batch ``float32 [B, C, H, W]`` (torch) for the images' lanes."""
    import torch

    from lgad_studio.core.models.teacher_input import encode_label

    labels = np.stack(
        [
            input_label_map(lanes, input_size=input_size, line_width=line_width)
            for lanes in lane_sets
        ]
    )
    return encode_label(torch.from_numpy(labels.astype(np.int64)), encoding)


def checkpoint_line_width(config: dict) -> float:
    """The label line width a run trained with (its config), else the default."""
    return float(config.get("label_line_width", DEFAULT_LABEL_LINE_WIDTH))
