"""`lgad-studio experiment`: paired runs over datasets x seeds, resumable and combinable."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from lgad_studio.cli import main
from lgad_studio.core.experiment import (
    ExperimentError,
    ExperimentPlan,
    RunBusy,
    RunDone,
    combine,
    load_results,
    parse_dataset,
    run_experiment,
    summarize,
)
from lgad_studio.core.experiment.plan import Preset
from lgad_studio.core.experiment.presets import get_preset
from lgad_studio.core.experiment.report import markdown, run_scores
from lgad_studio.core.experiment.stats import Counts

TINY = {"width": 0.25, "input_size": (64, 24), "teacher_epochs": 1, "student_epochs": 1}
CLI_TINY = ["--device", "cpu", "--threads", "1", "--width", "0.25", "--input-size", "64x24",
            "--teacher-epochs", "1", "--student-epochs", "1"]  # fmt: skip


def _plan(out: Path, datasets: list[str], seeds: tuple[int, ...], modes=("none", "lgad")):
    return ExperimentPlan(
        datasets=tuple(parse_dataset(d) for d in datasets), seeds=seeds, modes=modes,
        preset=get_preset("quick", **TINY), out=out, device="cpu", threads=1,
        demo_sizes=(16, 8, 9),
    )  # fmt: skip


def test_dataset_specs_and_their_errors(tmp_path: Path) -> None:
    spec = parse_dataset("demo:3:400/100/900")
    assert (spec.demo_seed, spec.sizes, spec.tag) == (3, (400, 100, 900), "demo-3-400-100-900")
    assert parse_dataset("demo:7").tag == "demo-7"
    assert parse_dataset(str(tmp_path)).path == tmp_path
    with pytest.raises(ExperimentError, match="expected demo:<seed>"):
        parse_dataset("demo:x")
    with pytest.raises(ExperimentError, match="no such folder"):
        parse_dataset(str(tmp_path / "missing"))
    with pytest.raises(ExperimentError, match="must include 'none'"):
        _plan(tmp_path, ["demo:1"], (0,), modes=("lgad",))


@pytest.mark.slow
def test_experiment_runs_pairs_reports_and_resumes(
    culane_root: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "exp"
    argv = ["experiment", "--datasets", "demo:5:16/8/9", str(culane_root), "--seeds", "3",
            "--modes", "none", "lgad", "--out", str(out), "--preset", "quick", *CLI_TINY]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "2 paired runs" in printed and "LGAD − baseline" in printed
    results = load_results([out / "runs"])
    assert sorted(r["run"] for r in results) == sorted(
        ["demo-5-16-8-9/seed3", f"{parse_dataset(str(culane_root)).tag}/seed3"]
    )
    # the demo dataset was generated once, with 1 test image per category
    assert len((out / "data" / "demo-5-16-8-9" / "list" / "test.txt").read_text().split()) == 9
    # paired differences are the per-run totals' differences, recomputed from the counts
    report = json.loads((out / "results.json").read_text())
    for i, run in enumerate(report["runs"]):
        data = next(r for r in results if r["run"] == run["run"])
        total = {m: Counts(0, 0, 0) for m in ("none", "lgad")}
        for m in total:
            for split, counts in data["students"][m]["test"].items():
                if split != "total":
                    total[m] = total[m] + Counts(*counts)
        expected = max(total["lgad"].f1, 0) - max(total["none"].f1, 0)
        got = report["paired_differences"]["lgad"]["total"]["per_run"][i]
        assert got == pytest.approx(expected)
    assert (out / "results.md").read_text().count("\n| ") >= 10
    assert (out / "paired_differences.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the students of one run started from the same weights (seg loss of step 1)
    run_dir = out / "runs" / "demo-5-16-8-9" / "seed3"
    first = {
        m: json.loads((run_dir / m / "metrics.jsonl").read_text().splitlines()[0])
        for m in ("baseline", "lgad")
    }
    assert first["baseline"]["seg"] == first["lgad"]["seg"]
    # a second call trains nothing: every run is already done
    stamps = {p: p.stat().st_mtime_ns for p in (out / "runs").rglob("trained.json")}
    assert main(argv) == 0
    assert "already done" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in (out / "runs").rglob("trained.json")} == stamps


@pytest.mark.slow
def test_a_killed_experiment_continues_from_its_finished_runs(tmp_path: Path) -> None:
    out = tmp_path / "exp"
    plan = _plan(out, ["demo:6:16/8/9"], (0, 1))
    cancel = threading.Event()
    done = []
    for event in run_experiment(plan, cancel=cancel):
        if isinstance(event, RunDone):
            done.append(event.run)
            cancel.set()  # "killed" after the first run
    assert done == ["demo-6-16-8-9/seed0"]
    assert not (out / "runs" / "demo-6-16-8-9" / "seed1" / "result.json").exists()
    events = [e for e in run_experiment(plan) if isinstance(e, RunDone)]
    assert [(e.run, e.skipped) for e in events] == [
        ("demo-6-16-8-9/seed0", True), ("demo-6-16-8-9/seed1", False),
    ]  # fmt: skip


@pytest.mark.slow
def test_partial_experiments_combine_into_one_result(tmp_path: Path, capsys) -> None:
    # the same experiment split over two folders (e.g. two machines): seeds 0 and 1, then seed 2
    a, b = tmp_path / "a", tmp_path / "b"
    list(run_experiment(_plan(a, ["demo:8:16/8/9"], (0,))))
    list(run_experiment(_plan(b, ["demo:8:16/8/9"], (1, 0))))  # seed 0 again: a duplicate
    combined = combine(load_results([a, b]))
    assert [r["seed"] for r in combined.runs] == [0, 1] and len(combined.duplicates) == 1
    summary = summarize(combined)
    assert summary.differences["lgad"]["total"].n == 2
    single = [
        run_scores(r, "lgad")["total"] - run_scores(r, "none")["total"] for r in combined.runs
    ]
    assert summary.diffs["lgad"]["total"] == pytest.approx(single)
    assert main(["experiment", "--report", str(a), str(b), "--out", str(tmp_path / "both")]) == 0
    assert "2 paired runs" in capsys.readouterr().out
    # results of other settings are refused, not mixed in
    other = _plan(tmp_path / "c", ["demo:8:16/8/9"], (0,))
    other = ExperimentPlan(
        **{**other.__dict__, "preset": get_preset("quick", **{**TINY, "width": 0.5})}
    )
    list(run_experiment(other))
    with pytest.raises(ExperimentError, match="different settings"):
        combine(load_results([a, tmp_path / "c"]))


def test_a_run_locked_by_a_live_process_is_left_to_it(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "exp", ["demo:9:16/8/9"], (0,))
    run_dir = plan.run_dir(plan.runs()[0])
    run_dir.mkdir(parents=True)
    import socket

    lock = {"host": socket.gethostname(), "pid": os.getppid(), "since": 0}
    (run_dir / ".lock").write_text(json.dumps(lock))
    events = list(run_experiment(plan))
    assert [type(e) for e in events if not type(e).__name__.endswith("Progress")] == [RunBusy]
    assert (run_dir / ".lock").exists() and not (run_dir / "teacher").exists()


def test_runs_of_more_modes_combine_on_the_named_ones_and_datasets_get_their_own_interval(
    tmp_path: Path, capsys
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    list(run_experiment(_plan(a, ["demo:8:16/8/9"], (0,), modes=("none", "sad", "lgad"))))
    list(run_experiment(_plan(b, ["demo:9:16/8/9"], (0, 1))))
    results = load_results([a, b])
    with pytest.raises(ExperimentError, match="different settings"):
        combine(results)  # all modes' settings differ: sad is only in a
    with pytest.raises(ExperimentError, match="has no sad student"):
        combine(results, modes=("none", "sad"))
    combined = combine(results, modes=("none", "lgad"))
    assert combined.modes == ("none", "lgad") and len(combined.runs) == 3
    summary = summarize(combined)
    total = summary.diffs["lgad"]["total"]
    tags = [r["dataset"]["tag"] for r in combined.runs]
    per_dataset = [
        sum(d for d, t in zip(total, tags, strict=True) if t == tag) / tags.count(tag)
        for tag in dict.fromkeys(tags)
    ]
    assert len(per_dataset) == 2
    over = summary.by_dataset["lgad"]
    assert over.n == 2 and over.mean == pytest.approx(sum(per_dataset) / 2)
    assert summary.differences["lgad"]["total"].n == 3  # the per-run interval counts runs
    rank = summary.by_dataset_rank["lgad"]
    assert rank.n == 2 and rank.median == pytest.approx(sum(per_dataset) / 2)
    # a weak teacher is named, and every run's teacher F1 is in the per-run table
    weak = [{**r, "teacher": {**r["teacher"], "f1": 0.5}} if r is combined.runs[0] else r
            for r in combined.runs]  # fmt: skip
    text = markdown(summarize(combine(weak, modes=("none", "lgad"))))
    assert "Teachers below 90 % validation F1" in text and f"{weak[0]['run']} (50.0 %)" in text
    assert "Over the 2 datasets" in text and "| teacher val F1 |" in text
    assert f"median {rank.median:+.1f}, Wilcoxon signed-rank p = " in text
    assert main(["experiment", "--report", str(a), str(b), "--modes", "none", "lgad",
                 "--out", str(tmp_path / "both")]) == 0  # fmt: skip
    assert "3 paired runs" in capsys.readouterr().out


def test_the_settings_fingerprint_ignores_where_and_how_fast_and_stays_stable() -> None:
    """Saved experiments stay resumable and combinable: fields that change no result
    (paths, workers, the prepared image cache, ...) are not settings, and the default
    preset's fingerprint is the one its saved plans hold."""
    preset = get_preset("default")
    modes = ("none", "lgad")
    assert preset.fingerprint(modes) == "6ecb3634c14f2d83"  # plan.json of the held-out runs
    for extra in ({"image_cache": "/ssd/c.lgadcache"}, {"num_workers": 4}, {"tensorboard": True}):
        moved = Preset(preset.name, {**preset.teacher, **extra}, {**preset.student, **extra})
        assert moved.fingerprint(modes) == preset.fingerprint(modes), extra
    changed = Preset(preset.name, {**preset.teacher, "epochs": 10}, preset.student)
    assert changed.fingerprint(modes) != preset.fingerprint(modes)
