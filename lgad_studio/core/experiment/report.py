"""Combine run results into one paired report: ``results.json``, ``results.md`` and a PNG plot.

Each finished run writes ``result.json`` (see :mod:`~lgad_studio.core.experiment.runner`).
:func:`load_results` gathers them from run folders, experiment folders or files,
made at any time on any machine; :func:`combine` keeps one result per (dataset,
seed) and refuses to mix results of different settings; :func:`summarize` computes
per-category scores and the paired differences of every mode against the baseline.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from lgad_studio.core.experiment.plan import BASELINE, MODE_NAMES, ExperimentError, Preset
from lgad_studio.core.experiment.stats import (
    Counts,
    Interval,
    RankTest,
    paired_interval,
    score,
    signed_rank,
)

RESULT_FORMAT = "lgad-studio-experiment-run"
TOTAL = "total"
WEAK_TEACHER_F1 = 0.9  # below this the report names the run's teacher


def load_results(paths: list[str | Path]) -> list[dict]:
    """Every ``result.json`` under the given folders, plus the given files."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(path.rglob("result.json"))
        elif path.is_file():
            found.append(path)
        else:
            raise ExperimentError(
                f"{path}: no such file or folder, expected results of an experiment"
            )
    results = []
    for file in found:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExperimentError(f"{file}: not readable as JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
            raise ExperimentError(f"{file}: not a result.json of lgad-studio experiment")
        data["_file"] = str(file)
        results.append(data)
    return results


@dataclass(frozen=True)
class Combined:
    settings: str
    modes: tuple[str, ...]
    preset: dict
    runs: list[dict]  # one per (dataset fingerprint, seed), sorted by run name
    duplicates: list[str]  # files left out because the same run was already there


def combine(results: list[dict], *, modes: tuple[str, ...] | None = None) -> Combined:
    """One result per (dataset, seed); all made with the same settings and modes.

    With ``modes`` (the baseline among them), runs that trained more modes combine
    on those: e.g. a baseline/LGAD experiment with the same two modes of a
    baseline/SAD/LGAD one. Their settings are then compared by the fingerprint of
    the named modes, recomputed from each run's stored preset with this version's
    defaults (a run's own fingerprint covers all of its modes).
    """
    if not results:
        raise ExperimentError("no finished runs found (no result.json)")
    if modes is not None:
        results = [_restricted(r, tuple(modes)) for r in results]
    settings = {r["settings"] for r in results}
    if len(settings) > 1:
        groups = {s: [r["_file"] for r in results if r["settings"] == s] for s in settings}
        detail = "; ".join(f"{s}: {len(f)} run(s), e.g. {f[0]}" for s, f in groups.items())
        raise ExperimentError(
            f"results were made with different settings and cannot be combined ({detail})"
        )
    modes = tuple(results[0]["modes"])
    runs: dict[tuple[str, int], dict] = {}
    duplicates = []
    for r in results:
        if tuple(r["modes"]) != modes:
            raise ExperimentError(
                f"{r['_file']}: modes {r['modes']}, the others have {list(modes)}"
            )
        key = (r["dataset"]["fingerprint"], int(r["seed"]))
        if key in runs:
            duplicates.append(r["_file"])
            continue
        runs[key] = r
    ordered = sorted(runs.values(), key=lambda r: (r["run"], int(r["seed"])))
    return Combined(settings.pop(), modes, results[0]["preset"], ordered, duplicates)


def _restricted(result: dict, modes: tuple[str, ...]) -> dict:
    """``result`` as if its experiment had trained only ``modes``."""
    if BASELINE not in modes:
        raise ExperimentError(f"--modes must include the baseline ({BASELINE!r}) to compare")
    missing = [m for m in modes if m not in result["modes"]]
    if missing:
        raise ExperimentError(
            f"{result['_file']}: has no {', '.join(missing)} student (modes {result['modes']})"
        )
    ordered = tuple(m for m in result["modes"] if m in modes)
    preset = result["preset"]
    fingerprint = Preset(preset["name"], preset["teacher"], preset["student"]).fingerprint(ordered)
    return {**result, "modes": list(ordered), "settings": fingerprint}


def categories_of(run: dict) -> list[str]:
    splits = sorted(s for s in run["students"][BASELINE]["test"] if s != TOTAL)
    return [*splits, TOTAL]


def label_of(split: str) -> str:
    name = split.split("_", 1)[1] if "_" in split else split
    return "cross (FP)" if name == "cross" else name


def is_cross(split: str) -> bool:
    return split.split("_", 1)[-1] == "cross"


def run_scores(run: dict, mode: str) -> dict[str, float]:
    """``{split: F1 % (or FP count for cross)}`` of one mode in one run; the total pools counts."""
    test = {s: Counts(*c) for s, c in run["students"][mode]["test"].items()}
    if TOTAL not in test:
        total = Counts(0, 0, 0)
        for c in test.values():
            total = total + c
        test[TOTAL] = total
    return {s: score(c, cross=is_cross(s)) for s, c in test.items()}


@dataclass(frozen=True)
class Summary:
    combined: Combined
    categories: list[str]
    scores: dict[str, dict[str, list[float]]]  # mode -> split -> one value per run
    differences: dict[str, dict[str, Interval]]  # mode -> split -> paired interval vs baseline
    diffs: dict[str, dict[str, list[float]]]  # mode -> split -> paired differences per run
    by_dataset: dict[str, Interval]  # mode -> total: interval over datasets' mean differences
    by_dataset_rank: dict[str, RankTest]  # mode -> total: their median and signed-rank p


def summarize(combined: Combined) -> Summary:
    runs = combined.runs
    categories = categories_of(runs[0])
    scores = {
        m: {s: [run_scores(r, m)[s] for r in runs] for s in categories} for m in combined.modes
    }
    diffs: dict[str, dict[str, list[float]]] = {}
    differences: dict[str, dict[str, Interval]] = {}
    for mode in combined.modes:
        if mode == BASELINE:
            continue
        diffs[mode] = {
            s: [a - b for a, b in zip(scores[mode][s], scores[BASELINE][s], strict=True)]
            for s in categories
        }
        differences[mode] = {
            s: paired_interval(d, lower_is_better=is_cross(s)) for s, d in diffs[mode].items()
        }
    tags = [r["dataset"]["tag"] for r in runs]
    by_dataset, by_dataset_rank = {}, {}
    for mode, per_split in diffs.items():
        means = []
        for tag in dict.fromkeys(tags):
            own = [d for d, t in zip(per_split[TOTAL], tags, strict=True) if t == tag]
            means.append(sum(own) / len(own))
        by_dataset[mode] = paired_interval(means)
        by_dataset_rank[mode] = signed_rank(means)
    return Summary(combined, categories, scores, differences, diffs, by_dataset, by_dataset_rank)


def _fmt_interval(iv: Interval, digits: int = 1) -> str:
    if iv.n < 2:
        return f"{iv.mean:+.{digits}f} (1 run)"
    return f"{iv.mean:+.{digits}f} [{iv.low:+.{digits}f}, {iv.high:+.{digits}f}] ({iv.wins}/{iv.n})"


def _fmt_rank(test: RankTest) -> str:
    p = "–" if math.isnan(test.p) else f"{test.p:.3f}"
    return f"{test.median:+.1f}, Wilcoxon signed-rank p = {p}"


def markdown(summary: Summary) -> str:
    """The report: paired differences, absolute scores, and one row per run."""
    c = summary.combined
    others = [m for m in c.modes if m != BASELINE]
    n = len(c.runs)
    datasets = sorted({r["dataset"]["tag"] for r in c.runs})
    seeds = sorted({int(r["seed"]) for r in c.runs})
    lines = [
        f"{n} paired runs: datasets {', '.join(datasets)} x seeds {seeds}; "
        f"preset {c.preset.get('name', '?')} (settings {c.settings}).",
        "",
        "Paired difference to the baseline, F1 points (cross: false positives), "
        "mean [95 % CI] (runs where the mode is better / runs):",
        "",
        "| category | " + " | ".join(f"{MODE_NAMES[m]} − baseline" for m in others) + " |",
        "|---|" + "---|" * len(others),
    ]
    for split in summary.categories:
        cells = [
            _fmt_interval(summary.differences[m][split], 0 if is_cross(split) else 1)
            for m in others
        ]
        label = "**total**" if split == TOTAL else label_of(split)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if len(datasets) >= 2:
        lines += [
            "",
            f"Over the {len(datasets)} datasets (each dataset's mean over its seeds; the "
            "interval above counts runs on one dataset as independent, this one does not): "
            + "; ".join(
                f"{MODE_NAMES[m]} − baseline total {_fmt_interval(summary.by_dataset[m])}, "
                f"median {_fmt_rank(summary.by_dataset_rank[m])}"
                for m in others
            )
            + ". (The signed-rank test ranks the datasets' differences, so one large "
            "difference weighs no more than its rank.)",
        ]
    teachers = [(r["run"], _teacher_f1(r)) for r in c.runs]
    weak = [
        f"{run} ({100 * f1:.1f} %)"
        for run, f1 in teachers
        if f1 is not None and f1 < WEAK_TEACHER_F1
    ]
    if weak:
        lines += [
            "",
            f"Teachers below {100 * WEAK_TEACHER_F1:.0f} % validation F1 (a teacher reproduces "
            f"its own label input; a weak one guides badly): {', '.join(weak)}.",
        ]
    lines += ["", "CULane F1 (%) per category, mean ± sd over runs (cross: false positives):", ""]
    lines += ["| category | " + " | ".join(MODE_NAMES[m] for m in c.modes) + " |"]
    lines += ["|---|" + "---|" * len(c.modes)]
    for split in summary.categories:
        digits = 0 if is_cross(split) else 1
        cells = []
        for m in c.modes:
            iv = paired_interval(summary.scores[m][split])
            cells.append(f"{iv.mean:.{digits}f}" + ("" if iv.n < 2 else f" ± {iv.sd:.{digits}f}"))
        label = "**total**" if split == TOTAL else label_of(split)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Total F1 (%) per run:", ""]
    header = ["run", *(MODE_NAMES[m] for m in c.modes), *(f"Δ {MODE_NAMES[m]}" for m in others)]
    header.append("teacher val F1")
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, run in enumerate(c.runs):
        totals = [summary.scores[m][TOTAL][i] for m in c.modes]
        deltas = [summary.diffs[m][TOTAL][i] for m in others]
        cells = [run["run"], *(f"{v:.1f}" for v in totals), *(f"{d:+.1f}" for d in deltas)]
        teacher = _teacher_f1(run)
        cells.append("–" if teacher is None else f"{100 * teacher:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _teacher_f1(run: dict) -> float | None:
    """The run's teacher's best validation F1 (a fraction), if it recorded one."""
    value = (run.get("teacher") or {}).get("f1")
    return None if value is None or value < 0 else float(value)


def to_json(summary: Summary) -> dict:
    c = summary.combined
    return {
        "settings": c.settings,
        "preset": c.preset,
        "modes": list(c.modes),
        "runs": [
            {"run": r["run"], "dataset": r["dataset"], "seed": r["seed"], "file": r["_file"]}
            for r in c.runs
        ],
        "categories": summary.categories,
        "scores": summary.scores,
        "paired_differences": {
            m: {s: {**iv.__dict__, "per_run": summary.diffs[m][s]} for s, iv in per.items()}
            for m, per in summary.differences.items()
        },
        "over_datasets": {m: iv.__dict__ for m, iv in summary.by_dataset.items()},
        "over_datasets_signed_rank": {m: t.__dict__ for m, t in summary.by_dataset_rank.items()},
        "duplicates_left_out": c.duplicates,
    }


def plot(summary: Summary, path: Path) -> Path:
    """Paired differences per category: one dot per run, the mean and its 95 % interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    others = [m for m in summary.combined.modes if m != BASELINE]
    cats = [s for s in summary.categories if not is_cross(s)]
    fig, axes = plt.subplots(
        1, len(others), figsize=(5.2 * len(others), 0.42 * len(cats) + 1.6), sharey=True,
        squeeze=False,
    )  # fmt: skip
    y = np.arange(len(cats))[::-1]
    rng = np.random.default_rng(0)
    for ax, mode in zip(axes[0], others, strict=True):
        for yi, split in zip(y, cats, strict=True):
            d = np.asarray(summary.diffs[mode][split])
            ax.scatter(d, yi + rng.uniform(-0.15, 0.15, len(d)), s=12, color="#999999", zorder=2)
            iv = summary.differences[mode][split]
            color = "#0072B2" if iv.excludes_zero and iv.mean > 0 else (
                "#D55E00" if iv.excludes_zero else "#000000")  # fmt: skip
            if iv.n >= 2:
                ax.errorbar(iv.mean, yi, xerr=[[iv.mean - iv.low], [iv.high - iv.mean]],
                            fmt="o", color=color, capsize=3, zorder=3)  # fmt: skip
            else:
                ax.plot(iv.mean, yi, "o", color=color, zorder=3)
        ax.axvline(0, color="#444444", lw=0.8)
        ax.set_title(f"{MODE_NAMES[mode]} − baseline (F1 points)")
        ax.set_yticks(y, [("total" if s == TOTAL else label_of(s)) for s in cats])
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Paired differences over {len(summary.combined.runs)} runs (mean, 95 % CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(folder: Path, summary: Summary) -> dict[str, Path]:
    """``results.json``, ``results.md`` and ``paired_differences.png`` in ``folder``, atomically."""
    from lgad_studio.core.atomic import atomic_write_bytes, atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": folder / "results.json",
        "markdown": folder / "results.md",
        "plot": folder / "paired_differences.png",
    }
    atomic_write_text(paths["json"], json.dumps(to_json(summary), indent=2) + "\n")
    atomic_write_text(paths["markdown"], markdown(summary) + "\n")
    tmp = folder / ".paired_differences.tmp.png"
    plot(summary, tmp)
    atomic_write_bytes(paths["plot"], tmp.read_bytes())
    tmp.unlink()
    return paths
