"""Attention maps of one image under several checkpoints (no Qt), for the attention grid.

Rows: ``teacher`` (fed the image's label map), then each student (fed the image):
``LGAD student``, ``baseline``, ``SAD student``. Columns: the distilled stages (the
first LGAD student's, else ``stage1..stage3``). Each map is the engine's
:func:`~lgad_studio.core.attention.attention_maps` (``sum_c F_c^2``, L2-normalised
per sample), ``float32 [h, w]`` at its stage's resolution.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.events import Progress
from lgad_studio.core.lanes import LaneSet
from lgad_studio.gui.train.runs import KIND_LABELS

DEFAULT_STAGES = ("stage1", "stage2", "stage3")
_ROW_ORDER = {"teacher": 0, "lgad": 1, "none": 2, "sad": 3}


@dataclass(frozen=True, eq=False)
class AttentionSet:
    image: np.ndarray  # uint8 [H, W, 3] at the first model's input size
    stages: tuple[str, ...]
    rows: dict[str, list[np.ndarray]]  # row name -> one float32 [h, w] map per stage
    sources: dict[str, Path]  # row name -> checkpoint


def _row_kind(ckpt) -> str:
    return "teacher" if ckpt.kind == "teacher" else str(ckpt.config.get("mode", "none"))


def _student_stages(ckpt) -> tuple[str, ...]:
    stages = ckpt.config.get("stages")
    return tuple(stages) if stages else DEFAULT_STAGES


def _teacher_input(ckpt, lanes: LaneSet, source_size: tuple[int, int]):
    import torch

    from lgad_studio.core.formats.culane_lines import render_label_map
    from lgad_studio.core.models.teacher_input import encode_label
    from lgad_studio.core.training.data import label_line_px

    w, h = ckpt.input_size
    scaled = LaneSet(lanes.lanes, image_size=source_size).scaled(
        w / source_size[0], h / source_size[1], (w, h)
    )
    width = label_line_px(float(ckpt.config.get("label_line_width", 16.0)), source_size, (w, h))
    label = render_label_map(scaled, size=(w, h), line_width=width)
    return encode_label(
        torch.from_numpy(label.astype(np.int64))[None], ckpt.config.get("encoding", "onehot")
    )


def attention_rows(
    checkpoints: Sequence[str | Path],
    image_rgb: np.ndarray,
    lanes: LaneSet,
    *,
    stages: Sequence[str] | None = None,
    norm: str = "l2",
) -> AttentionSet:
    """Maps of ``image_rgb`` (``uint8 [H0, W0, 3]``, ground truth ``lanes``) under each checkpoint.

    A teacher is added when none is given but an LGAD student names one that exists.
    """
    from lgad_studio.core.attention import attention_maps
    from lgad_studio.core.checkpoint import load_checkpoint
    from lgad_studio.core.training.data import resize_image, to_tensor

    loaded = [load_checkpoint(p) for p in checkpoints]
    lgad = [c for c in loaded if _row_kind(c) == "lgad"]
    if not any(c.kind == "teacher" for c in loaded) and lgad:
        teacher_path = lgad[0].config.get("teacher")
        if teacher_path and Path(teacher_path).is_file():
            loaded.insert(0, load_checkpoint(teacher_path, kind="teacher"))
    if not loaded:
        raise ValueError("no checkpoint to compute attention maps with")
    stages = tuple(stages) if stages else (_student_stages(lgad[0]) if lgad else DEFAULT_STAGES)
    loaded.sort(key=lambda c: _ROW_ORDER.get(_row_kind(c), 9))
    source_size = (image_rgb.shape[1], image_rgb.shape[0])
    students = [c for c in loaded if c.kind == "student"]
    display_size = (students or loaded)[0].input_size
    kinds = [_row_kind(c) for c in loaded]
    rows: dict[str, list[np.ndarray]] = {}
    sources: dict[str, Path] = {}
    for ckpt, kind in zip(loaded, kinds, strict=True):
        name = KIND_LABELS.get(kind, kind)
        if kinds.count(kind) > 1:
            name = f"{name} ({ckpt.path.parent.name})"
        model = ckpt.build_model(device="cpu")
        if ckpt.kind == "teacher":
            batch = _teacher_input(ckpt, lanes, source_size)
        else:
            batch = to_tensor(resize_image(image_rgb, ckpt.input_size))[None]
        maps = attention_maps(model, batch, stages, norm=norm)
        rows[name] = [m[0].float().numpy().astype(np.float32) for m in maps]
        sources[name] = ckpt.path
    return AttentionSet(resize_image(image_rgb, display_size), stages, rows, sources)


def attention_events(
    checkpoints: Sequence[str | Path], image_rgb: np.ndarray, lanes: LaneSet, **options
) -> Iterator[Progress]:
    """A job: one Progress, then returns the :class:`AttentionSet`."""
    yield Progress(0, 1, f"attention maps of {len(checkpoints)} checkpoint(s)")
    result = attention_rows(checkpoints, image_rgb, lanes, **options)
    yield Progress(1, 1, "attention maps ready")
    return result
