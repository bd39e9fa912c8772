"""LabelMe JSON import: ``linestrip`` and ``line`` shapes become lanes with automatic slots.

A LabelMe file holds ``imagePath``, ``imageWidth``, ``imageHeight``, optional
base64 ``imageData`` and a list of ``shapes`` ``{"label", "points": [[x, y], …],
"shape_type"}``. Shapes of other types (polygons, rectangles, points, …) are not
lanes: they are skipped and reported as problems in either mode. A malformed
file or lane shape raises :class:`~lgad_studio.core.errors.LabelFormatError`
naming the file and the field (``shapes[2].points[1]``), or in lenient mode is
skipped and reported.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lgad_studio.core.errors import LabelFormatError, Problem, raise_or_record
from lgad_studio.core.formats.textio import is_finite_number, read_label_text, short_repr
from lgad_studio.core.lanes import Lane, LaneSet

LANE_SHAPES = ("linestrip", "line")


@dataclass(frozen=True)
class LabelmeAnnotation:
    """One LabelMe file: where its image is, its embedded image bytes if any, its lanes."""

    path: Path
    image_path: Path  # resolved against the JSON's folder
    image_data: bytes | None
    lanes: LaneSet


def read_labelme(
    path: str | Path, *, strict: bool = True, problems: list[Problem] | None = None
) -> LabelmeAnnotation:
    """Read one LabelMe JSON file (see the module docstring for what is checked)."""
    path = Path(path)
    text = read_label_text(path)
    return parse_labelme_text(text, path=path, strict=strict, problems=problems)


def parse_labelme_text(
    text: str,
    *,
    path: str | Path = "<text>",
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> LabelmeAnnotation:
    path = Path(path)
    if not text.strip():
        raise LabelFormatError(path, "empty file, expected a LabelMe JSON object")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabelFormatError(
            path, f"not valid JSON ({exc.msg} at column {exc.colno})", line=exc.lineno
        ) from None
    except RecursionError:
        raise LabelFormatError(path, "JSON nested too deeply, expected a LabelMe object") from None
    if not isinstance(data, dict):
        raise LabelFormatError(path, f"a JSON {type(data).__name__}, expected a LabelMe object")
    size = (_size_field(path, data, "imageWidth"), _size_field(path, data, "imageHeight"))
    image_name = data.get("imagePath")
    if not isinstance(image_name, str) or not image_name.strip():
        raise LabelFormatError(
            path, f"imagePath is {short_repr(image_name)}, expected the image's file name"
        )
    shapes = data.get("shapes")
    if not isinstance(shapes, list):
        raise LabelFormatError(path, f"shapes is {_kind(shapes)}, expected a list of shapes")
    lanes = []
    for i, shape in enumerate(shapes):
        try:
            points = _lane_points(path, i, shape, problems)
        except LabelFormatError as err:
            raise_or_record(err, strict=strict, problems=problems)
            continue
        if points is not None:
            lanes.append(Lane(points))
    image_path = path.parent / image_name.replace("\\", "/")
    lane_set = LaneSet(tuple(lanes), image_size=size).with_auto_slots()
    return LabelmeAnnotation(path, image_path, _image_data(path, data), lane_set)


def _size_field(path: Path, data: dict, key: str) -> int:
    value = data.get(key)
    if not is_finite_number(value) or value != int(value) or value <= 0:
        raise LabelFormatError(
            path, f"{key} is {short_repr(value)}, expected a positive whole number of pixels"
        )
    return int(value)


def _lane_points(path: Path, i: int, shape: object, problems) -> np.ndarray | None:
    where = f"shapes[{i}]"
    if not isinstance(shape, dict):
        raise LabelFormatError(path, f"{where} is {_kind(shape)}, expected a shape object")
    shape_type = shape.get("shape_type", "polygon")  # LabelMe's own default
    if shape_type not in LANE_SHAPES:
        if problems is not None:
            message = f"{where} is a {short_repr(shape_type)} shape, not a lane (linestrip or line): skipped"
            problems.append(Problem(path, None, message))
        return None
    points = shape.get("points")
    if not isinstance(points, list):
        message = f"{where}.points is {_kind(points)}, expected a list of at least 2 [x, y]"
        raise LabelFormatError(path, message)
    if len(points) < 2:
        message = f"{where}.points has {len(points)} points, expected at least 2 [x, y]"
        raise LabelFormatError(path, message)
    for j, point in enumerate(points):
        ok = isinstance(point, list) and len(point) == 2 and all(is_finite_number(v) for v in point)
        if not ok:
            raise LabelFormatError(
                path, f"{where}.points[{j}] is {short_repr(point)}, expected [x, y] numbers"
            )
    return np.asarray(points, dtype=np.float64)


def _image_data(path: Path, data: dict) -> bytes | None:
    encoded = data.get("imageData")
    if encoded in (None, ""):
        return None
    if not isinstance(encoded, str):
        raise LabelFormatError(path, f"imageData is {_kind(encoded)}, expected base64 text or null")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise LabelFormatError(
            path, "imageData is not valid base64, expected base64 text or null"
        ) from None


def _kind(value: object) -> str:
    return "missing" if value is None else f"a {type(value).__name__}"
