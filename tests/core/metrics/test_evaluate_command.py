"""`lgad-studio evaluate culane|tusimple`: printed figures, JSON outputs, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lgad_studio.cli import main

from .test_culane_files import _dataset


def test_culane_prints_counts_and_writes_json(tmp_path: Path, capsys) -> None:
    root = _dataset(tmp_path)
    out, per_image = tmp_path / "out.json", tmp_path / "per_image.json"
    argv = ["evaluate", "culane", "--anno", str(root / "anno"), "--det", str(root / "det")]
    argv += [
        "--list",
        str(root / "list" / "test.txt"),
        "--splits",
        str(root / "list" / "test_split"),
    ]
    argv += ["--sweep", "--json", str(out), "--per-image", str(per_image)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "TP 3  FP 1  FN 1" in text and "F1        0.750000" in text
    assert "cross" in text and "mF1" in text
    report = json.loads(out.read_text())
    assert (report["tp"], report["fp"], report["fn"]) == (3, 1, 1)
    assert report["splits"]["cross"]["fp"] == 1 and report["splits_total"]["tp"] == 3
    assert report["sweep"]["thresholds"][0]["iou"] == 0.5
    assert json.loads(per_image.read_text()) == {
        "d/0.jpg": [2, 0, 0],
        "d/1.jpg": [1, 0, 1],
        "d/2.jpg": [0, 1, 0],
    }


def test_user_errors_exit_2_with_file_and_line(tmp_path: Path, capsys) -> None:
    root = _dataset(tmp_path)
    (root / "det" / "d" / "1.lines.txt").write_text("500 700 500\n")
    argv = ["evaluate", "culane", "--anno", str(root / "anno"), "--det", str(root / "det")]
    assert main([*argv, "--list", str(root / "list" / "test.txt")]) == 2
    assert "1.lines.txt:1: 3 numbers, expected an even count" in capsys.readouterr().err
    assert main(argv) == 2
    assert "--list FILE and/or --splits DIR" in capsys.readouterr().err
    assert main([*argv, "--list", str(root / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err


def test_bad_size_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "culane", "--anno", ".", "--det", ".", "--list", "x", "--size", "big"])
    assert exc.value.code == 2


def test_tusimple(tusimple_golden: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.json"
    pred, gt = tusimple_golden / "pred_good.json", tusimple_golden / "test_label_sample.json"
    assert main(["evaluate", "tusimple", str(pred), str(gt), "--json", str(out)]) == 0
    assert "Accuracy 0.868090" in capsys.readouterr().out
    assert json.loads(out.read_text())["accuracy"] == pytest.approx(0.86809027777778, abs=1e-9)
    assert main(["evaluate", "tusimple", str(tmp_path / "none.json"), str(gt)]) == 2
    assert "none.json: file is missing" in capsys.readouterr().err
