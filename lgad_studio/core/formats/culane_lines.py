"""CULane ``.lines.txt`` files and ``laneseg_label_w16`` masks for one image.

A ``.lines.txt`` holds one lane per line, ``x1 y1 x2 y2 ...`` as decimal numbers
in image pixels; x may be negative or beyond the width. Strict reading rejects
anything else with the file, the line and what was expected; lenient reading
skips the bad line and records a :class:`~lgad_studio.core.errors.Problem`.
"""

from __future__ import annotations

import math
from operator import attrgetter
from pathlib import Path

import cv2
import numpy as np

from lgad_studio.core.atomic import atomic_write_bytes, atomic_write_text
from lgad_studio.core.errors import LabelFormatError, Problem, raise_or_record
from lgad_studio.core.formats.textio import read_label_text
from lgad_studio.core.label_render import draw_lane_labels
from lgad_studio.core.lanes import CULANE_SIZE, Lane, LaneSet

MASK_LINE_WIDTH = 16


def parse_lines_text(
    text: str,
    *,
    path: str | Path = "<text>",
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> list[np.ndarray]:
    """Lanes of a ``.lines.txt`` text as float64 ``(N, 2)`` arrays, in file order.

    Blank lines are ignored. Raises :class:`LabelFormatError` (strict) or appends to
    ``problems`` and skips the line (lenient) for a non-number, NaN/inf, or an odd
    count of numbers.
    """
    records = parse_lines_records(text, path=path, strict=strict, problems=problems)
    return [points for points, _source in records]


def parse_lines_records(
    text: str,
    *,
    path: str | Path = "<text>",
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> list[tuple[np.ndarray, str | None]]:
    """Like :func:`parse_lines_text`, with each lane's line as written (without its line
    break), so that a lane nobody edits can be written back byte for byte. The line is
    ``None`` where it ends in a line break other than ``\\n`` or ``\\r\\n``."""
    records: list[tuple[np.ndarray, str | None]] = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            points = _parse_lane_fields(fields)
        except ValueError as exc:
            err = LabelFormatError(path, str(exc), line=number)
            raise_or_record(err, strict=strict, problems=problems)
            continue
        records.append((points, _source_line(line)))
    return records


def _source_line(line: str) -> str | None:
    """The line as it is written back: without its ``\\n`` (``\\r\\n`` keeps its ``\\r``);
    ``None`` for a line that ends in any other line break."""
    if line.endswith("\r\n"):
        body, text = line[:-1], line[:-2]
    elif line.endswith("\n"):
        body = text = line[:-1]
    else:
        body = text = line
    return body if text.splitlines() == [text] else None


def _parse_lane_fields(fields: list[str]) -> np.ndarray:
    try:  # the common case, without a Python loop: every field a finite number, in pairs
        values = list(map(float, fields))
    except ValueError:
        values = None
    if values is not None and len(values) % 2 == 0 and all(map(math.isfinite, values)):
        return np.array(values, dtype=np.float64).reshape(-1, 2)
    return _parse_lane_fields_checked(fields)


def _parse_lane_fields_checked(fields: list[str]) -> np.ndarray:
    """Field by field, to name the first bad one."""
    values = []
    for col, tok in enumerate(fields, start=1):
        try:
            value = float(tok)
        except ValueError:
            raise ValueError(f"field {col} is {tok!r}, expected a decimal number") from None
        if not math.isfinite(value):
            raise ValueError(f"field {col} is {tok!r}, expected a finite number")
        values.append(value)
    if len(values) % 2:
        raise ValueError(f"{len(values)} numbers, expected an even count of x y pairs")
    return np.asarray(values, dtype=np.float64).reshape(-1, 2)


def read_lane_points(
    path: str | Path, *, strict: bool = True, problems: list[Problem] | None = None
) -> list[np.ndarray]:
    """The raw lanes of a ``.lines.txt`` file, in file order (what the evaluator reads)."""
    path = Path(path)
    text = read_label_text(path)
    return parse_lines_text(text, path=path, strict=strict, problems=problems)


def read_lane_records(
    path: str | Path, *, strict: bool = True, problems: list[Problem] | None = None
) -> list[tuple[np.ndarray, str | None]]:
    """The lanes of a ``.lines.txt`` with their lines as written (see :func:`parse_lines_records`)."""
    path = Path(path)
    text = read_label_text(path)
    return parse_lines_records(text, path=path, strict=strict, problems=problems)


def read_lines_txt(
    path: str | Path,
    *,
    image_size: tuple[int, int] = CULANE_SIZE,
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> LaneSet:
    """A ``.lines.txt`` as a :class:`LaneSet` with slots assigned by the CULane rule."""
    records = read_lane_records(path, strict=strict, problems=problems)
    lanes = tuple(Lane(p, source=line) for p, line in records)
    return LaneSet(lanes, image_size=image_size).with_auto_slots()


def format_lines_text(lanes: LaneSet | list[np.ndarray]) -> str:
    """Text of a ``.lines.txt``: slotted lanes in slot order, then the rest, points in stored order.

    Numbers are written with up to 6 significant decimals (``%.6g`` would lose
    precision on 4-digit pixels, so ``repr``-style shortest round-trip floats are
    used) so that reading back gives the same float64 values. A lane that still
    carries the line it was read from (:attr:`Lane.source`) is written as that line.
    """
    if isinstance(lanes, LaneSet):
        items = [(ln.points, ln.source) for ln in lanes.in_slot_order()]
    else:
        items = [(np.asarray(p, dtype=np.float64), None) for p in lanes]
    lines = []
    for pts, source in items:
        if len(pts) == 0:
            continue
        if source is not None:
            lines.append(source)
            continue
        lines.append(" ".join(_fmt(v) for v in np.asarray(pts, dtype=np.float64).ravel()))
    return "".join(line + "\n" for line in lines)


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def write_lines_txt(path: str | Path, lanes: LaneSet | list[np.ndarray]) -> None:
    """Write a ``.lines.txt`` atomically (the old file survives a crash or a full disk)."""
    atomic_write_text(path, format_lines_text(lanes))


def render_label_map(
    lanes: LaneSet, *, size: tuple[int, int] | None = None, line_width: int = MASK_LINE_WIDTH
) -> np.ndarray:
    """The segmentation label of ``lanes``: ``uint8 (H, W)``, 0 background, slot values 1-4.

    Each slotted lane of 2 or more points is drawn, in slot order, as a polyline
    through its evaluator spline, sampled ``MASK_SAMPLES_PER_SEGMENT`` times per
    segment, ``line_width`` pixels wide, in the frame of ``size`` (default the lane
    set's image size; points are scaled when they differ); see
    :func:`lgad_studio.core.label_render.draw_lane_labels`. Unslotted lanes are not drawn.
    """
    width, height = size or lanes.image_size
    sx = width / lanes.image_size[0]
    sy = height / lanes.image_size[1]
    drawn = sorted(
        (ln for ln in lanes if ln.slot is not None and len(ln) >= 2), key=attrgetter("slot")
    )
    return draw_lane_labels(
        [ln.points for ln in drawn],
        [ln.slot for ln in drawn],
        size=(width, height),
        thickness=max(1, round(line_width * (sx + sy) / 2)),
        scale=(sx, sy),
    )


def write_label_map(path: str | Path, lanes: LaneSet, *, line_width: int = MASK_LINE_WIDTH) -> None:
    """Write the lane set's ``laneseg_label_w16``-style PNG atomically."""
    ok, buf = cv2.imencode(".png", render_label_map(lanes, line_width=line_width))
    if not ok:
        raise LabelFormatError(path, "PNG encoding failed")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.tobytes())


def read_label_map(path: str | Path) -> np.ndarray:
    """A ``laneseg_label_w16`` PNG as ``uint8 (H, W)`` slot values 0-4.

    Raises :class:`LabelFormatError` naming the file when it is missing, not a
    decodable PNG, or holds values above 4.
    """
    from lgad_studio.core.formats.images import read_file_bytes

    path = Path(path)
    data = read_file_bytes(path, what="label map", missing="label map is missing")
    label = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if label is None:
        raise LabelFormatError(path, "cannot decode label map, expected a one-channel PNG")
    top = int(label.max(initial=0))
    if top > 4:
        raise LabelFormatError(path, f"label value {top} found, expected 0 (background) to 4")
    return label
