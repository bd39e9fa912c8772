"""``lgad-studio attention`` and the grid renderer it shares with the studio's PNG export."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from lgad_studio.cli import main
from lgad_studio.core.attention_render import (
    distances_to_reference,
    render_attention_grid,
    render_cell,
)
from lgad_studio.core.attention_view import attention_rows
from lgad_studio.core.formats.dataset import open_dataset


def _rows() -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    teacher = [rng.random((h, w)).astype(np.float32) for h, w in ((12, 32), (6, 16), (3, 8))]
    return {
        "LGAD student": [3.0 * m for m in teacher],
        "teacher": teacher,
        "baseline": [rng.random(m.shape).astype(np.float32) for m in teacher],
    }


def _contains(grid: np.ndarray, cell: np.ndarray) -> bool:
    """Whether ``cell`` appears pixel for pixel somewhere in ``grid``."""
    match = cv2.matchTemplate(grid.astype(np.float32), cell.astype(np.float32), cv2.TM_SQDIFF)
    y, x = np.unravel_index(int(np.argmin(match)), match.shape)
    h, w = cell.shape[:2]
    return np.array_equal(grid[y : y + h, x : x + w], cell)


def test_the_grid_holds_every_cell_at_full_resolution_with_names() -> None:
    image = np.random.default_rng(1).integers(0, 255, (60, 160, 3), dtype=np.uint8)
    rows = _rows()
    grid = render_attention_grid(stages=("stage1", "stage2", "stage3"), rows=rows, image=image)
    assert grid.dtype == np.uint8 and grid.shape[1] > 3 * 160 and grid.shape[0] > 3 * 60
    for name in rows:
        for k in (0, 2):
            assert _contains(grid, render_cell(rows[name][k], image, (160, 60), blended=True))
    plain = render_attention_grid(stages=("a", "b", "c"), rows=rows, image=image, blended=False)
    assert _contains(plain, render_cell(rows["baseline"][1], image, (160, 60), blended=False))
    text = grid.astype(np.int64).sum(axis=2) > 400  # light text on the dark background
    assert text[:20].any() and text[:, :60].any()  # column names on top, row names at the left
    distances = distances_to_reference(rows)
    assert distances["LGAD student"] == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    with pytest.raises(ValueError, match="2 maps for 3 stages"):
        render_attention_grid(stages=("a", "b", "c"), rows={"teacher": rows["teacher"][:2]})


def test_the_command_writes_the_grid_of_teacher_and_student(
    culane_root: Path, teacher_checkpoint: Path, student_checkpoint: Path, tmp_path: Path, capsys
) -> None:
    dataset = open_dataset(culane_root)
    entry = dataset.entries("val")[0]
    image_path = dataset.image_path(entry)
    out = tmp_path / "grid.png"
    args = ["attention", "--checkpoints", str(student_checkpoint), str(teacher_checkpoint),
            "--image", str(image_path), "--out", str(out), "--threads", "1"]  # fmt: skip
    assert main(args) == 0
    assert "2 rows (teacher, baseline) x 3 stages" in capsys.readouterr().out
    written = cv2.cvtColor(cv2.imread(str(out)), cv2.COLOR_BGR2RGB)
    maps = attention_rows(
        [student_checkpoint, teacher_checkpoint],
        dataset.read_image(entry),
        dataset.read_lanes(entry),
    )
    expected = render_attention_grid(stages=maps.stages, rows=maps.rows, image=maps.image)
    assert np.array_equal(written, expected)
    assert written.shape[1] > 3 * 1640  # three stages side by side at the image's resolution
    # A teacher needs lanes: an image without a .lines.txt is refused with a message.
    bare = tmp_path / "bare.jpg"
    bare.write_bytes(image_path.read_bytes())
    assert main([*args[:4], "--image", str(bare), "--out", str(tmp_path / "x.png")]) == 2
    assert "give --lanes" in capsys.readouterr().err
