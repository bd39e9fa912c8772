"""LabelMe import: linestrip/line shapes become lanes; malformed files and shapes are named."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.labelme import parse_labelme_text, read_labelme


def shape(points, shape_type="linestrip", label="lane") -> dict:
    return {"label": label, "points": points, "shape_type": shape_type, "flags": {}}


def document(**changes) -> dict:
    data = {
        "version": "5.4.1",
        "imagePath": "frame.jpg",
        "imageData": None,
        "imageWidth": 1280,
        "imageHeight": 720,
        "shapes": [
            shape([[900, 715], [800, 500], [760, 400]]),
            shape([[300, 719], [560, 420]], shape_type="line"),
            shape([[1, 1], [5, 1], [5, 5]], shape_type="polygon", label="car"),
        ],
    }
    data.update(changes)
    return data


def test_import_lanes_with_auto_slots(tmp_path: Path) -> None:
    path = tmp_path / "frame.json"
    path.write_text(json.dumps(document(), indent=2))
    problems: list[Problem] = []
    ann = read_labelme(path, problems=problems)
    assert ann.image_path == tmp_path / "frame.jpg" and ann.image_data is None
    assert ann.lanes.image_size == (1280, 720) and len(ann.lanes) == 2
    assert np.array_equal(ann.lanes[1].points, [[300, 719], [560, 420]])
    assert [ln.slot for ln in ann.lanes] == [3, 2]
    assert "shapes[2] is a 'polygon' shape, not a lane" in problems[0].message


def test_embedded_image_data() -> None:
    ann = parse_labelme_text(json.dumps(document(imageData=base64.b64encode(b"JPEGDATA").decode())))
    assert ann.image_data == b"JPEGDATA"


BAD = [
    (lambda: "", "empty file"),
    (lambda: '{"shapes": [\n  oops', "not valid JSON"),
    (lambda: "[]", "a JSON list, expected a LabelMe object"),
    (
        lambda: json.dumps(document(imageWidth=None)),
        "imageWidth is None, expected a positive whole",
    ),
    (lambda: json.dumps(document(imageHeight=-5)), "imageHeight is -5"),
    (lambda: json.dumps(document(imageHeight=7.5)), "imageHeight is 7.5"),
    (lambda: json.dumps(document(imagePath="")), "imagePath is '', expected the image's file name"),
    (lambda: json.dumps(document(shapes={"a": 1})), "shapes is a dict, expected a list"),
    (lambda: json.dumps(document(imageData=12)), "imageData is a int, expected base64"),
    (lambda: json.dumps(document(imageData="@@@")), "imageData is not valid base64"),
]


@pytest.mark.parametrize(("make", "expected"), BAD)
def test_malformed_files(tmp_path: Path, make, expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(make())
    for strict in (True, False):  # a broken file cannot be read leniently either
        with pytest.raises(LabelFormatError) as info:
            read_labelme(path, strict=strict)
        assert str(info.value).startswith(f"{path}") and expected in info.value.message


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{\n "shapes": [\n  oops\n]}')
    with pytest.raises(LabelFormatError) as info:
        read_labelme(path)
    assert info.value.line == 3


BAD_SHAPES = [
    ("nope", "shapes[0] is a str, expected a shape object"),
    (shape([[1, 2]]), "shapes[0].points has 1 points, expected at least 2"),
    (shape(None), "shapes[0].points is missing, expected a list of at least 2"),
    (shape([[1, 2], [3]]), "shapes[0].points[1] is [3], expected [x, y] numbers"),
    (shape([[1, 2], [3, "4"]]), "shapes[0].points[1] is [3, '4']"),
    (shape([[1, 2], [3, float("nan")]]), "shapes[0].points[1] is [3, nan]"),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_SHAPES)
def test_malformed_shapes_strict_and_lenient(bad, expected: str) -> None:
    text = json.dumps(document(shapes=[bad, shape([[700, 715], [760, 500]])]))
    with pytest.raises(LabelFormatError) as info:
        parse_labelme_text(text, path="a.json")
    assert expected in str(info.value)
    problems: list[Problem] = []
    ann = parse_labelme_text(text, path="a.json", strict=False, problems=problems)
    assert len(ann.lanes) == 1 and expected in problems[0].message
