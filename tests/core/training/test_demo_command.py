"""`lgad-studio demo` end to end on the tiny synthetic dataset (tiny budget, two seeds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lgad_studio.cli import main


@pytest.mark.slow
def test_demo_runs_all_students_and_prints_table(culane_root: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo"
    argv = [
        "demo", "--data", str(culane_root), "--out", str(out), "--seeds", "0", "1",
        "--device", "cpu", "--threads", "1", "--width", "0.25", "--input-size", "64x24",
        "--teacher-epochs", "1", "--student-epochs", "1",
    ]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "| category | baseline | SAD | LGAD |" in printed and "| **total** |" in printed
    assert "| category | SAD − baseline | LGAD − baseline |" in printed
    results = json.loads((out / "results.json").read_text())
    assert [r["seed"] for r in results["runs"]] == [0, 1]
    assert results["modes"] == ["none", "sad", "lgad"]
    assert results["categories"] == ["test0_normal", "test6_curve", "total"]
    assert all(len(v) == 2 for v in results["scores"]["lgad"].values())
    run = out / "runs" / results["runs"][1]["dataset"]["tag"] / "seed1"
    lgad = json.loads((run / "lgad" / "config.json").read_text())
    assert lgad["mode"] == "lgad" and lgad["teacher"].endswith("seed1/teacher/best.pt")
    assert lgad["seed"] == 1
    assert (out / "results.md").read_text().startswith("2 paired runs")
    # one table from earlier runs' results
    assert main(["demo", "--combine", str(out), "--out", str(tmp_path / "again")]) == 0
    assert "2 paired runs" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["demo", "--combine", str(bad)]) == 2
