"""``.lines.txt`` and mask files: every malformed input named by file and line, strict and lenient."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.culane_lines import (
    format_lines_text,
    parse_lines_text,
    read_label_map,
    read_lane_points,
    read_lines_txt,
    render_label_map,
    write_label_map,
    write_lines_txt,
)
from lgad_studio.core.lanes import Lane, LaneSet

GOOD = "100 589 200.5 500 300 400\n"
MALFORMED = [
    ("100 589 200\n", "3 numbers, expected an even count"),
    ("100 589 abc 500\n", "field 3 is 'abc', expected a decimal number"),
    ("100 589 nan 500\n", "field 3 is 'nan', expected a finite number"),
    ("100 589 200 inf\n", "field 4 is 'inf', expected a finite number"),
]


@pytest.mark.parametrize(("bad", "expected"), MALFORMED)
def test_strict_names_file_line_and_expectation(tmp_path: Path, bad: str, expected: str) -> None:
    path = tmp_path / "a.lines.txt"
    path.write_text(GOOD + "\n" + bad)
    with pytest.raises(LabelFormatError) as info:
        read_lane_points(path)
    assert info.value.line == 3
    assert str(info.value) == f"{path}:3: {info.value.message}"
    assert expected in info.value.message


@pytest.mark.parametrize(("bad", "expected"), MALFORMED)
def test_lenient_skips_the_line_and_reports_it(tmp_path: Path, bad: str, expected: str) -> None:
    path = tmp_path / "a.lines.txt"
    path.write_text(bad + GOOD)
    problems: list[Problem] = []
    lanes = read_lane_points(path, strict=False, problems=problems)
    assert len(lanes) == 1 and np.array_equal(lanes[0], [[100, 589], [200.5, 500], [300, 400]])
    assert len(problems) == 1 and problems[0].line == 1 and expected in problems[0].message
    assert str(problems[0]).startswith(f"{path}:1: ")


def test_parse_text_without_a_file() -> None:
    with pytest.raises(LabelFormatError, match=r"^<text>:2: field 1 is 'x'"):
        parse_lines_text("1 2 3 4\nx 1\n")
    assert [p.shape for p in parse_lines_text("1 2 3 4\n\n5 6\n")] == [(2, 2), (1, 2)]


def test_empty_file_means_no_lanes(tmp_path: Path) -> None:
    path = tmp_path / "cross.lines.txt"
    path.write_text("")
    assert read_lane_points(path) == []
    assert len(read_lines_txt(path)) == 0


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(LabelFormatError, match="cannot read"):
        read_lane_points(tmp_path / "none.lines.txt")
    path = tmp_path / "bin.lines.txt"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LabelFormatError, match="not UTF-8"):
        read_lane_points(path)


def test_write_then_read_gives_the_same_floats(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    pts = [rng.uniform(-200, 1800, size=(7, 2)), np.array([[1.0 / 3.0, 589.0], [1e-7, 2.5]])]
    path = tmp_path / "a.lines.txt"
    write_lines_txt(path, pts)
    back = read_lane_points(path)
    assert all(np.array_equal(a, b) for a, b in zip(pts, back, strict=True))
    assert format_lines_text([np.array([[100.0, 589.0]])]) == "100 589\n"


def test_mask_has_slot_values_and_reads_back(tmp_path: Path) -> None:
    lanes = LaneSet(
        (Lane([[300, 589], [700, 300]], 2), Lane([[1300, 589], [900, 300]], 3), Lane([[0, 0]]))
    )
    label = render_label_map(lanes)
    assert label.shape == (590, 1640) and set(np.unique(label)) == {0, 2, 3}
    assert label[589, 300] == 2 and label[589, 1300] == 3
    path = tmp_path / "m" / "a.png"
    write_label_map(path, lanes)
    assert np.array_equal(read_label_map(path), label)
    assert render_label_map(lanes, size=(820, 295)).shape == (295, 820)


def test_unreadable_or_missing_mask(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    with pytest.raises(LabelFormatError, match=r"a\.png: cannot decode label map"):
        read_label_map(path)
    with pytest.raises(LabelFormatError, match="label map is missing"):
        read_label_map(tmp_path / "none.png")
    cv2.imwrite(str(path), np.full((4, 4), 9, np.uint8))
    with pytest.raises(LabelFormatError, match="label value 9 found, expected 0"):
        read_label_map(path)
