"""``lgad-studio demo-data``: writes the dataset and a summary; refuses unusable input with rc 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgad_studio import cli


def test_writes_the_dataset_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "demo"
    assert (
        cli.main(
            ["demo-data", str(out), "--train", "2", "--val", "1", "--test", "9", "--seed", "3"]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "wrote 12 images" in text and "night 1" in text
    assert len((out / "list/train_gt.txt").read_text().splitlines()) == 2


def test_too_few_test_images_for_nine_categories_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["demo-data", str(tmp_path / "new"), "--test", "3"]) == 2
    assert "--test is 3, expected 0 or at least 9" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_a_non_empty_folder_is_refused_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.main(["demo-data", str(tmp_path), "--train", "1", "--val", "0", "--test", "0"]) == 2
    assert f"{tmp_path}: folder is not empty" in capsys.readouterr().err
    argv = ["demo-data", str(tmp_path), "--train", "1", "--val", "0", "--test", "0", "--force"]
    assert cli.main(argv) == 0 and (tmp_path / "notes.txt").read_text() == "mine"
