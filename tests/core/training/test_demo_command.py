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
    results = json.loads((out / "results.json").read_text())
    assert results["seeds"] == [0, 1]
    assert set(results["results"]) == {"baseline", "SAD", "LGAD"}
    assert all(len(runs) == 2 for runs in results["results"].values())
    assert set(results["results"]["LGAD"][0]) == {"test0_normal", "test6_curve", "total"}
    lgad = json.loads((out / "seed1" / "lgad" / "config.json").read_text())
    assert lgad["mode"] == "lgad" and lgad["teacher"].endswith("seed1/teacher/last.pt")
    assert (out / "results.md").read_text().startswith("| category |")
    # one table from several runs' results (e.g. seeds run in parallel)
    assert main(["demo", "--combine", str(out / "results.json"), str(out / "results.json")]) == 0
    assert "seeds [0, 1, 0, 1]" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["demo", "--combine", str(bad)]) == 2
