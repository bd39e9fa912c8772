"""Attention maps of one image under several checkpoints: the rows of the attention grid.

Rows: ``teacher`` (fed the label map of the image's ground truth, rendered by
:mod:`lgad_studio.core.label_input` with the width the teacher trained with),
then each student (fed the image): ``LGAD student``, ``baseline``, ``SAD
student``. Columns: the distilled stages (the first LGAD student's, else
``stage1..stage3``). Each map is the engine's
:func:`~lgad_studio.core.attention.attention_maps` (``sum_c F_c^2``,
L2-normalised per sample), ``float32 [h, w]`` at its stage's resolution. The
studio's attention view shows them; ``lgad-studio attention`` renders the same
grid to a PNG (:mod:`lgad_studio.core.attention_render`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.events import Progress
from lgad_studio.core.lanes import LaneSet
from lgad_studio.core.run_kinds import KIND_LABELS

DEFAULT_STAGES = ("stage1", "stage2", "stage3")
_ROW_ORDER = {"teacher": 0, "lgad": 1, "none": 2, "sad": 3}


@dataclass(frozen=True, eq=False)
class AttentionSet:
    image: np.ndarray  # uint8 [H0, W0, 3] RGB, the image at its own resolution
    stages: tuple[str, ...]
    rows: dict[str, list[np.ndarray]]  # row name -> one float32 [h, w] map per stage
    sources: dict[str, Path]  # row name -> checkpoint


def _row_kind(ckpt) -> str:
    return "teacher" if ckpt.kind == "teacher" else str(ckpt.config.get("mode", "none"))


def _student_stages(ckpt) -> tuple[str, ...]:
    stages = ckpt.config.get("stages")
    return tuple(stages) if stages else DEFAULT_STAGES


def _with_teacher(loaded: list) -> list:
    """Add the teacher an LGAD student names when no teacher is among the checkpoints."""
    from lgad_studio.core.checkpoint import load_checkpoint

    lgad = [c for c in loaded if _row_kind(c) == "lgad"]
    if not any(c.kind == "teacher" for c in loaded) and lgad:
        teacher_path = lgad[0].config.get("teacher")
        if teacher_path and Path(teacher_path).is_file():
            loaded.insert(0, load_checkpoint(teacher_path, kind="teacher"))
    return loaded


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
    from lgad_studio.core.label_input import checkpoint_line_width, teacher_input
    from lgad_studio.core.training.data import resize_image, to_tensor

    loaded = _with_teacher([load_checkpoint(p) for p in checkpoints])
    if not loaded:
        raise ValueError("no checkpoint to compute attention maps with")
    lgad = [c for c in loaded if _row_kind(c) == "lgad"]
    stages = tuple(stages) if stages else (_student_stages(lgad[0]) if lgad else DEFAULT_STAGES)
    loaded.sort(key=lambda c: _ROW_ORDER.get(_row_kind(c), 9))
    source_size = (image_rgb.shape[1], image_rgb.shape[0])
    truth = LaneSet(lanes.lanes, image_size=source_size)
    kinds = [_row_kind(c) for c in loaded]
    rows: dict[str, list[np.ndarray]] = {}
    sources: dict[str, Path] = {}
    for ckpt, kind in zip(loaded, kinds, strict=True):
        name = KIND_LABELS.get(kind, kind)
        if kinds.count(kind) > 1:
            name = f"{name} ({ckpt.path.parent.name})"
        model = ckpt.build_model(device="cpu")
        if ckpt.kind == "teacher":
            batch = teacher_input(
                [truth],
                input_size=ckpt.input_size,
                encoding=str(ckpt.config.get("encoding", "onehot")),
                line_width=checkpoint_line_width(ckpt.config),
            )
        else:
            batch = to_tensor(resize_image(image_rgb, ckpt.input_size))[None]
        maps = attention_maps(model, batch, stages, norm=norm)
        rows[name] = [m[0].float().numpy().astype(np.float32) for m in maps]
        sources[name] = ckpt.path
    return AttentionSet(np.ascontiguousarray(image_rgb), stages, rows, sources)


def attention_events(
    checkpoints: Sequence[str | Path], image_rgb: np.ndarray, lanes: LaneSet, **options
) -> Iterator[Progress]:
    """A job: one Progress, then returns the :class:`AttentionSet`."""
    yield Progress(0, 1, f"attention maps of {len(checkpoints)} checkpoint(s)")
    result = attention_rows(checkpoints, image_rgb, lanes, **options)
    yield Progress(1, 1, "attention maps ready")
    return result
