"""What an experiment runs: datasets x training seeds x modes, under one preset of settings.

A *dataset spec* is ``demo:<seed>`` (a generated demo dataset, written once under
``<out>/data/``; optional sizes as ``demo:<seed>:<train>/<val>/<test>``) or the path
of the user's own CULane-layout dataset. A *run* is one (dataset, training seed):
the label-map teacher and one student per mode, all from the same seed, so the
students are paired (same initial weights, batches, augmentation and dropout; see
``core/training/streams.py``).

Every run folder is named by the dataset's tag and the seed and carries the
*settings fingerprint* (a hash of the teacher's and students' resolved configs
without paths, seeds and devices), so results made at different times or on
different machines combine only when they were made with the same settings.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from lgad_studio.core.errors import StudioError
from lgad_studio.core.training.config import StudentConfig, TeacherConfig

MODE_NAMES = {"none": "baseline", "sad": "SAD", "lgad": "LGAD"}
BASELINE = "none"
# Per-run fields that are not settings: where, which seed, on what, how fast.
_NOT_SETTINGS = ("data", "out", "seed", "teacher", "device", "threads", "num_workers", "resume",
                 "preview_interval_s", "mode", "tensorboard", "dist_timeout_min", "image_cache")  # fmt: skip


class ExperimentError(StudioError, ValueError):
    """An experiment spec, plan or result file that cannot be used."""


@dataclass(frozen=True)
class Preset:
    """The settings of every run of an experiment: teacher and student config fields."""

    name: str
    teacher: dict = field(default_factory=dict)
    student: dict = field(default_factory=dict)

    def teacher_config(self, **run) -> TeacherConfig:
        return TeacherConfig(**{**_tuples(self.teacher), **run})

    def student_config(self, **run) -> StudentConfig:
        return StudentConfig(**{**_tuples(self.student), **run})

    def fingerprint(self, modes: tuple[str, ...]) -> str:
        """Hash of the resolved teacher and per-mode student configs, paths and seeds excluded."""
        teacher = _settings(self.teacher_config().to_dict())
        students = {}
        for mode in modes:
            config = self.student_config(mode=mode, teacher="t" if mode == "lgad" else None)
            settings = _settings(config.to_dict())
            settings["at_norm"] = config.resolved_norm()
            settings["stages"] = list(config.resolved_stages())
            settings["at_start_epoch"] = config.resolved_start_epoch()
            settings["at_ramp_epochs"] = config.resolved_ramp_epochs()
            students[mode] = settings
        text = json.dumps({"teacher": teacher, "students": students}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {"name": self.name, "teacher": dict(self.teacher), "student": dict(self.student)}


def _tuples(fields: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}


def _settings(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in _NOT_SETTINGS and k != "type"}


@dataclass(frozen=True)
class DatasetSpec:
    """A generated demo dataset (``demo_seed`` set) or a dataset folder (``path`` set)."""

    text: str
    demo_seed: int | None = None
    sizes: tuple[int, int, int] | None = None  # train, val, test images of a demo dataset
    path: Path | None = None

    @property
    def tag(self) -> str:
        """A folder name: ``demo-3`` (``demo-3-400-100-900`` with sizes), or ``<name>-<hash>``."""
        if self.demo_seed is not None:
            tail = "" if self.sizes is None else "-" + "-".join(str(n) for n in self.sizes)
            return f"demo-{self.demo_seed}{tail}"
        digest = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:8]
        return f"{self.path.name or 'dataset'}-{digest}"


_DEMO = re.compile(r"^demo:(-?\d+)(?::(\d+)/(\d+)/(\d+))?$")


def parse_dataset(text: str) -> DatasetSpec:
    """``demo:<seed>[:<train>/<val>/<test>]`` or an existing folder; errors say what was expected."""
    match = _DEMO.match(text.strip())
    if match:
        seed = int(match.group(1))
        sizes = tuple(int(g) for g in match.groups()[1:]) if match.group(2) else None
        return DatasetSpec(text, demo_seed=seed, sizes=sizes)
    if text.startswith("demo"):
        raise ExperimentError(
            f"dataset {text!r}: expected demo:<seed> or demo:<seed>:<train>/<val>/<test>, "
            "e.g. demo:3 or demo:3:400/100/900"
        )
    path = Path(text).expanduser()
    if not path.is_dir():
        raise ExperimentError(
            f"dataset {text!r}: no such folder, expected demo:<seed> or a CULane-layout dataset"
        )
    return DatasetSpec(text, path=path)


@dataclass(frozen=True)
class RunKey:
    dataset: DatasetSpec
    seed: int

    @property
    def name(self) -> str:
        return f"{self.dataset.tag}/seed{self.seed}"


@dataclass(frozen=True)
class ExperimentPlan:
    """Datasets x seeds, the modes trained per run, the preset, and where it all goes."""

    datasets: tuple[DatasetSpec, ...]
    seeds: tuple[int, ...]
    modes: tuple[str, ...]
    preset: Preset
    out: Path
    device: str = "cpu"
    threads: int | None = None
    demo_sizes: tuple[int, int, int] = (400, 100, 900)  # default sizes of generated datasets

    def __post_init__(self) -> None:
        unknown = [m for m in self.modes if m not in MODE_NAMES]
        if unknown:
            raise ExperimentError(f"modes {unknown} unknown, expected some of {list(MODE_NAMES)}")
        if BASELINE not in self.modes:
            raise ExperimentError(
                "modes must include 'none' (the baseline every other mode is paired with)"
            )
        if not self.datasets or not self.seeds:
            raise ExperimentError("an experiment needs at least one dataset and one seed")

    def runs(self) -> list[RunKey]:
        return [RunKey(d, s) for d in self.datasets for s in self.seeds]

    @property
    def fingerprint(self) -> str:
        return self.preset.fingerprint(self.modes)

    def run_dir(self, key: RunKey) -> Path:
        return self.out / "runs" / key.dataset.tag / f"seed{key.seed}"

    def data_dir(self, spec: DatasetSpec) -> Path:
        if spec.path is not None:
            return spec.path
        return self.out / "data" / spec.tag

    def sizes_of(self, spec: DatasetSpec) -> tuple[int, int, int]:
        return spec.sizes or self.demo_sizes
