"""Reading lanes as the evaluator does, list and split evaluation, errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lgad_studio.core.errors import LabelFormatError, StudioError
from lgad_studio.core.formats.culane_lists import write_culane_lists
from lgad_studio.core.metrics import evaluate_culane_dirs, evaluate_splits, read_eval_lanes
from lgad_studio.core.metrics.culane_files import lines_path

LANE_A = "500 700 500 -100"
LANE_B = "900 700 900 -100"


def test_blank_lines_are_empty_lanes(tmp_path: Path) -> None:
    path = tmp_path / "a.lines.txt"
    path.write_text(f"{LANE_A}\n\n  \n{LANE_B}\n")
    lanes = read_eval_lanes(path)
    assert [len(p) for p in lanes] == [2, 0, 0, 2]
    assert lanes[3][0].tolist() == [900.0, 700.0]


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.lines.txt"
    path.write_text(f"{LANE_A}\n\n500 300 oops 200\n")
    with pytest.raises(LabelFormatError, match=r"a\.lines\.txt:3: field 3 is 'oops'"):
        read_eval_lanes(path)


def test_missing_files(tmp_path: Path) -> None:
    assert read_eval_lanes(tmp_path / "none.lines.txt", missing_ok=True) == []
    with pytest.raises(LabelFormatError, match="none.lines.txt: lane file is missing"):
        read_eval_lanes(tmp_path / "none.lines.txt")


def test_lines_path_drops_extension_and_leading_slash() -> None:
    assert lines_path("/r", "/d/c/00001.jpg") == Path("/r/d/c/00001.lines.txt")


def _dataset(tmp_path: Path) -> Path:
    """Three images: perfect, one missed lane, and a crossing image without GT (one FP)."""
    root = tmp_path / "data"
    files = {
        "anno/d/0.lines.txt": f"{LANE_A}\n{LANE_B}\n",
        "det/d/0.lines.txt": f"{LANE_A}\n{LANE_B}\n",
        "anno/d/1.lines.txt": f"{LANE_A}\n{LANE_B}\n",
        "det/d/1.lines.txt": f"{LANE_A}\n",
        "anno/d/2.lines.txt": "",
        "det/d/2.lines.txt": f"{LANE_B}\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    entries = ["d/0.jpg", "d/1.jpg", "d/2.jpg"]
    write_culane_lists(
        root,
        train=[],
        val=[],
        test=entries,
        test_splits={"test0_normal": entries[:2], "test7_cross": entries[2:]},
    )
    return root


def test_list_evaluation(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    result = evaluate_culane_dirs(root / "anno", root / "det", root / "list" / "test.txt")
    assert result.per_image_counts() == {
        "d/0.jpg": [2, 0, 0],
        "d/1.jpg": [1, 0, 1],
        "d/2.jpg": [0, 1, 0],
    }
    assert (result.tp, result.fp, result.fn) == (3, 1, 1)


def test_split_table_sums_the_rows_cross_fp_included(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    table = evaluate_splits(root / "anno", root / "det", root / "list" / "test_split")
    assert [r.name for r in table.rows] == ["normal", "cross"]
    normal, cross = table.rows
    assert (normal.tp, normal.fp, normal.fn, normal.images) == (3, 0, 1, 2)
    assert (cross.tp, cross.fp, cross.fn) == (0, 1, 0) and cross.recall == -1.0
    total = table.total
    assert (total.tp, total.fp, total.fn, total.images) == (3, 1, 1, 3)
    text = table.format()
    assert "cross" in text and "total" in text


def test_split_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(StudioError, match="not a folder"):
        evaluate_splits(tmp_path, tmp_path, tmp_path / "nope")
    with pytest.raises(StudioError, match="no split lists found"):
        evaluate_splits(tmp_path, tmp_path, tmp_path)


def test_missing_annotation_is_an_error(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    (root / "anno" / "d" / "1.lines.txt").unlink()
    with pytest.raises(LabelFormatError, match=r"1\.lines\.txt: lane file is missing"):
        evaluate_culane_dirs(root / "anno", root / "det", root / "list" / "test.txt", workers=2)


def test_read_lanes_are_float64_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "a.lines.txt"
    path.write_text("1.25 2 3 4 5 6\n")
    (lane,) = read_eval_lanes(path)
    assert lane.dtype == np.float64 and lane.tolist() == [[1.25, 2.0], [3.0, 4.0], [5.0, 6.0]]
