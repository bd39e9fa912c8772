"""Attention maps for the eye: display stretch, heat-map LUT, distance, and the grid as a PNG.

Raw maps (a spatial softmax over ``h*w`` cells, or an L2-normalised map) have
values around ``1/(h*w)`` and look blank on a fixed scale, so every map is
min-max stretched to ``[0, 1]`` before display. The distance between a student's
and the teacher's map is computed on the maps as given (shape ``[h, w]``), not on
the stretched ones. The studio's attention grid and :func:`render_attention_grid`
(``lgad-studio attention`` and the grid's PNG export) use the same stretch, LUT
(inferno), blending and captions, so the exported picture is what the view shows,
at the image's full resolution, with row and column names.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np

from lgad_studio.core.errors import StudioError

REFERENCE_ROW = "teacher"
BACKGROUND_RGB = (32, 33, 36)  # the views' #202124
TEXT_RGB = (241, 243, 244)
MIN_CELL_WIDTH = 320  # maps without an image are enlarged to at least this width


def normalise_for_display(attention: np.ndarray) -> np.ndarray:
    """``[h, w]`` any float -> ``float32 [h, w]`` in ``[0, 1]`` (a flat map gives zeros)."""
    a = np.asarray(attention, dtype=np.float32)
    if not np.isfinite(a).all():
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    if a.size == 0:
        return a
    lo, hi = float(a.min()), float(a.max())
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        return np.zeros_like(a)
    return (a - lo) / (hi - lo)


def to_uint8(attention: np.ndarray) -> np.ndarray:
    """``[h, w]`` -> C-contiguous ``uint8 [h, w]``, stretched to 0..255 for a LUT."""
    return np.ascontiguousarray(np.round(normalise_for_display(attention) * 255.0).astype(np.uint8))


def blend_alpha() -> np.ndarray:
    """``uint8 [256]``: the opacity of each heat level when blended over the image."""
    return np.round(np.linspace(0.0, 1.0, 256) ** 0.7 * 220.0).astype(np.uint8)


@functools.lru_cache(maxsize=8)
def heat_lut(*, blended: bool) -> np.ndarray:
    """A 256-entry ``uint8 [256, 4]`` RGBA inferno LUT (cached, read-only); ``blended``
    ramps alpha so that cold cells show the image underneath."""
    bgr = cv2.applyColorMap(np.arange(256, dtype=np.uint8)[:, None], cv2.COLORMAP_INFERNO)
    lut = np.full((256, 4), 255, dtype=np.uint8)
    lut[:, :3] = bgr[:, 0, ::-1]
    if blended:
        lut[:, 3] = blend_alpha()
    lut.flags.writeable = False
    return lut


def attention_distance(student: np.ndarray, teacher: np.ndarray) -> float:
    """Distance between two maps, 0 for maps equal up to scale, at most sqrt(2).

    The student's ``[h, w]`` map is resized bilinearly to the teacher's shape, both
    are flattened and L2-normalised (Zagoruyko & Komodakis' attention transfer), and
    the Euclidean distance of the two unit vectors is returned.
    """
    s = np.asarray(student, dtype=np.float32)
    t = np.asarray(teacher, dtype=np.float32)
    if s.ndim != 2 or t.ndim != 2:
        raise ValueError(f"attention maps must be [h, w], got {s.shape} and {t.shape}")
    if s.shape != t.shape:
        s = cv2.resize(s, (t.shape[1], t.shape[0]), interpolation=cv2.INTER_LINEAR)
    s, t = s.ravel().astype(np.float64), t.ravel().astype(np.float64)
    ns, nt = np.linalg.norm(s), np.linalg.norm(t)
    if ns == 0.0 or nt == 0.0:
        return float(np.sqrt(2.0)) if ns != nt else 0.0
    return float(np.linalg.norm(s / ns - t / nt))


def ordered_rows(rows: Mapping[str, Sequence[np.ndarray]]) -> tuple[str, ...]:
    """Row names with the reference (teacher) row first, the others in their order."""
    return tuple(sorted(rows, key=lambda n: n != REFERENCE_ROW))


def distances_to_reference(rows: Mapping[str, Sequence[np.ndarray]]) -> dict[str, list[float]]:
    """Per student row: its distance to the teacher's map at each stage (no teacher: empty)."""
    reference = rows.get(REFERENCE_ROW)
    if reference is None:
        return {}
    return {
        name: [attention_distance(m, t) for m, t in zip(maps, reference, strict=True)]
        for name, maps in rows.items()
        if name != REFERENCE_ROW
    }


def caption(row: str, stage: int, distances: Mapping[str, Sequence[float]]) -> str:
    """The text under a cell: a student's distance to the teacher, ``reference`` for the teacher."""
    if row in distances:
        return f"distance to teacher {distances[row][stage]:.3f}"
    return "reference" if row == REFERENCE_ROW and distances else ""


def heat_rgba(attention: np.ndarray, *, blended: bool) -> np.ndarray:
    """``uint8 [h, w, 4]``: the stretched map through the LUT."""
    return heat_lut(blended=blended)[to_uint8(attention)]


def render_cell(
    attention: np.ndarray, image: np.ndarray | None, size: tuple[int, int], *, blended: bool
) -> np.ndarray:
    """``uint8 [H, W, 3]`` RGB of one cell at ``size = (W, H)``: the map stretched over the
    image (nearest neighbour, as the view draws it), alpha-blended when ``blended``."""
    w, h = size
    rgba = cv2.resize(
        heat_rgba(attention, blended=blended), (w, h), interpolation=cv2.INTER_NEAREST
    )
    if image is None or not blended:
        return np.ascontiguousarray(rgba[:, :, :3])
    base = (
        image
        if image.shape[:2] == (h, w)
        else cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    )
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
    out = base.astype(np.float32) * (1.0 - alpha) + rgba[:, :, :3].astype(np.float32) * alpha
    return np.round(out).astype(np.uint8)


def render_attention_grid(
    *,
    stages: Sequence[str],
    rows: Mapping[str, Sequence[np.ndarray]],
    image: np.ndarray | None = None,
    blended: bool = True,
) -> np.ndarray:
    """The attention grid as ``uint8 [H, W, 3]`` RGB: column names (stages) on top, row
    names on the left, each cell at the image's resolution with its caption under it."""
    for name, maps in rows.items():
        if len(maps) != len(stages):
            raise ValueError(f"row {name!r} has {len(maps)} maps for {len(stages)} stages")
    names = ordered_rows(rows)
    if not names:
        raise ValueError("no attention maps to draw")
    if image is not None:
        cell_w, cell_h = int(image.shape[1]), int(image.shape[0])
    else:
        shapes = [m.shape for maps in rows.values() for m in maps]
        cell_w, cell_h = max(s[1] for s in shapes), max(s[0] for s in shapes)
        scale = max(1, -(-MIN_CELL_WIDTH // cell_w))
        cell_w, cell_h = cell_w * scale, cell_h * scale
    font = cv2.FONT_HERSHEY_SIMPLEX
    font_scale = max(0.5, cell_w / 900.0)
    thick = max(1, round(font_scale * 1.6))
    text_h = cv2.getTextSize("Ag", font, font_scale, thick)[0][1]
    pad = max(6, text_h // 2)
    label_w = max(cv2.getTextSize(n, font, font_scale, thick)[0][0] for n in names) + 2 * pad
    head_h = text_h + 3 * pad
    row_h = cell_h + text_h + 3 * pad  # the cell and its caption
    gap = pad
    width = label_w + len(stages) * (cell_w + gap)
    height = head_h + len(names) * row_h
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND_RGB
    distances = distances_to_reference(rows)

    def text(s: str, x: int, y: int) -> None:
        cv2.putText(canvas, s, (x, y), font, font_scale, TEXT_RGB, thick, cv2.LINE_AA)

    for k, stage in enumerate(stages):
        tw = cv2.getTextSize(stage, font, font_scale, thick)[0][0]
        text(stage, label_w + k * (cell_w + gap) + (cell_w - tw) // 2, pad + text_h + pad // 2)
    for r, name in enumerate(names):
        top = head_h + r * row_h
        text(name, pad, top + cell_h // 2 + text_h // 2)
        for k in range(len(stages)):
            left = label_w + k * (cell_w + gap)
            canvas[top : top + cell_h, left : left + cell_w] = render_cell(
                rows[name][k], image, (cell_w, cell_h), blended=blended
            )
            note = caption(name, k, distances)
            if note:
                tw = cv2.getTextSize(note, font, font_scale, thick)[0][0]
                text(note, left + (cell_w - tw) // 2, top + cell_h + pad + text_h)
    return canvas


def write_attention_png(path: str | Path, grid_rgb: np.ndarray) -> Path:
    """Write a rendered grid as PNG (atomically); any suffix becomes ``.png``."""
    from lgad_studio.core.atomic import atomic_write_bytes

    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(grid_rgb[:, :, ::-1]))
    if not ok:
        raise StudioError(f"{path}: could not write the PNG (encoding failed)")
    try:
        atomic_write_bytes(path, buf.tobytes())
    except OSError as exc:
        raise StudioError(
            f"{path}: could not write the PNG ({exc.strerror or exc}; is the folder writable?)"
        ) from None
    return path
