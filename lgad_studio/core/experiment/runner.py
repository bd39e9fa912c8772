"""The experiment generator: every run's teacher and paired students, resumable and shareable.

``run_experiment(plan, cancel=...)`` yields :class:`ExperimentProgress` (at most
~10 per second, with an ETA for the whole experiment) and :class:`RunDone` per
run. A run folder ``<out>/runs/<dataset>/seed<S>/`` holds ``teacher/``, one folder
per student (``baseline/``, ``sad/``, ``lgad/``) and, once all are scored,
``result.json``. What is finished is never redone:

- a dataset is generated once (into a hidden folder, renamed when complete);
- a teacher or student with ``trained.json`` is not trained again; one with only a
  ``last.pt`` (killed or cancelled) resumes from it, continuing its exact sequence;
- a student with ``score.json`` is not scored again; a run with ``result.json`` is skipped.

Several processes may work on the same ``<out>``: each run is taken under a lock
file (``.lock``, holding host and pid; a lock of a dead process on this host is
taken over), so two processes at one thread each share the runs between them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lgad_studio.core.atomic import atomic_write_text
from lgad_studio.core.events import Finished, StepMetrics
from lgad_studio.core.experiment.plan import (
    MODE_NAMES,
    DatasetSpec,
    ExperimentError,
    ExperimentPlan,
    RunKey,
)
from lgad_studio.core.experiment.report import RESULT_FORMAT

PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class ExperimentProgress:
    run: str  # "demo-3/seed0"
    phase: str  # "data", "teacher", "baseline", "SAD", "LGAD", "score"
    done_steps: int  # training steps of the whole experiment done (finished runs included)
    total_steps: int
    elapsed_s: float  # since this call started
    eta_s: float | None  # remaining time at this call's pace; None before the first steps
    runs_done: int
    runs_total: int


@dataclass(frozen=True)
class RunDone:
    run: str
    result: dict
    skipped: bool = False  # finished before this call (or by another process)


@dataclass(frozen=True)
class RunBusy:
    """Another live process holds this run's lock; it is left to that process."""

    run: str
    holder: str


def run_experiment(
    plan: ExperimentPlan, *, cancel: threading.Event | None = None
) -> Iterator[ExperimentProgress | RunDone | RunBusy]:
    """Run every (dataset, seed) of ``plan``; see the module docstring."""
    cancel = cancel or threading.Event()
    return _Experiment(plan, cancel).run()


class _Experiment:
    def __init__(self, plan: ExperimentPlan, cancel: threading.Event) -> None:
        self.plan, self.cancel = plan, cancel
        self.started = time.monotonic()
        self.session_steps = 0
        self.done_steps = 0
        self.total_steps = 0
        self.runs_done = 0
        self._last = 0.0

    # -- bookkeeping ------------------------------------------------------------------
    def _write_plan(self) -> None:
        plan = self.plan
        plan.out.mkdir(parents=True, exist_ok=True)
        record = {
            "settings": plan.fingerprint, "preset": plan.preset.to_dict(),
            "modes": list(plan.modes), "datasets": [d.text for d in plan.datasets],
            "seeds": list(plan.seeds),
        }  # fmt: skip
        path = plan.out / "plan.json"
        if path.is_file():
            old = json.loads(path.read_text(encoding="utf-8"))
            if old.get("settings") != plan.fingerprint:
                raise ExperimentError(
                    f"{path}: this folder holds an experiment with other settings "
                    f"({old.get('settings')} vs {plan.fingerprint}); use another --out"
                )
            record["datasets"] = sorted(set(old.get("datasets", [])) | set(record["datasets"]))
            record["seeds"] = sorted(set(old.get("seeds", [])) | set(record["seeds"]))
        atomic_write_text(path, json.dumps(record, indent=2) + "\n")

    def _progress(self, key: RunKey, phase: str, *, force: bool = False):
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL_S:
            return None
        self._last = now
        elapsed = now - self.started
        eta = None
        if self.session_steps:
            remaining = max(self.total_steps - self.done_steps, 0)
            eta = remaining * elapsed / self.session_steps
        return ExperimentProgress(
            key.name, phase, self.done_steps, self.total_steps, elapsed, eta,
            self.runs_done, len(self.plan.runs()),
        )  # fmt: skip

    # -- the loop ---------------------------------------------------------------------
    def run(self):
        self._write_plan()
        keys = self.plan.runs()
        budgets = {k: self._steps_of(k) for k in keys}
        self.total_steps = sum(budgets.values())
        for key in keys:
            if (self.plan.run_dir(key) / "result.json").is_file():
                self.done_steps += budgets[key]
        for key in keys:
            if self.cancel.is_set():
                return
            run_dir = self.plan.run_dir(key)
            finished = self._load_result(run_dir)
            if finished is not None:
                self.runs_done += 1
                yield RunDone(key.name, finished, skipped=True)
                continue
            holder = _take_lock(run_dir)
            if holder is not None:
                yield RunBusy(key.name, holder)
                continue
            try:
                before = self.done_steps
                result = yield from self._run_one(key)
            finally:
                _release_lock(run_dir)
            if result is None:  # cancelled
                return
            self.done_steps = before + budgets[key]
            self.runs_done += 1
            yield RunDone(key.name, result)

    def _load_result(self, run_dir: Path) -> dict | None:
        path = run_dir / "result.json"
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("settings") != self.plan.fingerprint:
            raise ExperimentError(
                f"{path}: made with settings {data.get('settings')}, this experiment has "
                f"{self.plan.fingerprint}; use another --out"
            )
        return data

    def _steps_of(self, key: RunKey) -> int:
        """Training steps of a run (teacher + students), for the experiment's ETA."""
        preset, plan = self.plan.preset, self.plan
        if key.dataset.path is not None:
            from lgad_studio.core.formats.dataset import open_dataset

            teacher = preset.teacher_config()
            n = len(open_dataset(key.dataset.path).entries(teacher.train_split))
        else:
            n = plan.sizes_of(key.dataset)[0]
        total = _steps(preset.teacher_config(), n)
        for mode in plan.modes:
            total += _steps(preset.student_config(mode=mode, teacher="t"), n)
        return total

    # -- one run ----------------------------------------------------------------------
    def _run_one(self, key: RunKey):
        plan = self.plan
        run_dir = plan.run_dir(key)
        run_started = time.monotonic()
        yield self._progress(key, "data", force=True)
        data = self._ensure_dataset(key.dataset)
        if data is None:
            return None
        common = {"data": str(data), "seed": key.seed, "device": plan.device,
                  "threads": plan.threads, "preview_interval_s": 0.0}  # fmt: skip
        minutes: dict[str, float] = {}
        teacher_cfg = plan.preset.teacher_config(out=str(run_dir / "teacher"), **common)
        teacher = yield from self._train(key, "teacher", teacher_cfg, minutes)
        if teacher is None:
            return None
        students = {}
        for mode in plan.modes:
            name = MODE_NAMES[mode]
            folder = run_dir / name.lower()
            config = plan.preset.student_config(
                out=str(folder), mode=mode,
                teacher=teacher["checkpoint"] if mode == "lgad" else None, **common,
            )  # fmt: skip
            trained = yield from self._train(key, name, config, minutes)
            if trained is None:
                return None
            yield self._progress(key, "score", force=True)
            students[mode] = self._score(folder, trained, data)
        from lgad_studio.core.training.provenance import git_state, package_versions

        result = {
            "format": RESULT_FORMAT, "version": 1, "run": key.name, "seed": key.seed,
            "dataset": {"tag": key.dataset.tag, "spec": key.dataset.text,
                        "fingerprint": self._dataset_fingerprint(key.dataset, data)},
            "settings": plan.fingerprint, "preset": plan.preset.to_dict(),
            "modes": list(plan.modes), "teacher": teacher["metrics"], "students": students,
            "minutes": {**minutes, "run": round((time.monotonic() - run_started) / 60, 2)},
            "machine": {"host": socket.gethostname(), "device": plan.device,
                        "threads": plan.threads, "git": git_state(),
                        "packages": package_versions()},
        }  # fmt: skip
        atomic_write_text(run_dir / "result.json", json.dumps(result, indent=2) + "\n")
        return result

    def _train(self, key: RunKey, phase: str, config, minutes: dict):
        """Train (or resume, or skip) one network; returns ``{"checkpoint", "metrics"}``."""
        from lgad_studio.core.training import StudentConfig, distill, train_teacher

        folder = Path(config.out)
        marker = folder / "trained.json"
        if marker.is_file():
            done = json.loads(marker.read_text(encoding="utf-8"))
            minutes[phase] = done.get("minutes", 0.0)
            return done
        last = folder / "last.pt"
        if last.is_file():
            config = config.replace(resume=str(last))
        started = time.monotonic()
        run = distill if isinstance(config, StudentConfig) else train_teacher
        finished = None
        previous_step = None
        for event in run(config, cancel=self.cancel):
            if isinstance(event, StepMetrics):
                if previous_step is None:
                    previous_step = event.step - 1
                self.session_steps += event.step - previous_step
                self.done_steps += event.step - previous_step
                previous_step = event.step
                progress = self._progress(key, phase)
                if progress is not None:
                    yield progress
            elif isinstance(event, Finished):
                finished = event
        if finished is None or finished.cancelled:
            return None
        best = finished.best_checkpoint or finished.last_checkpoint
        done = {
            "checkpoint": str(best), "last": str(finished.last_checkpoint),
            "metrics": _best_metrics(folder), "minutes": round((time.monotonic() - started) / 60, 2),
        }  # fmt: skip
        atomic_write_text(marker, json.dumps(done, indent=2) + "\n")
        minutes[phase] = done["minutes"]
        return done

    def _score(self, folder: Path, trained: dict, data: Path) -> dict:
        """Test-split TP/FP/FN of the student's best (validation) checkpoint, once."""
        path = folder / "score.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        from lgad_studio.core.formats.dataset import open_dataset
        from lgad_studio.core.inference import LanePredictor
        from lgad_studio.core.training.comparison import category_splits, score_splits

        dataset = open_dataset(data)
        predictor = LanePredictor.from_checkpoint(trained["checkpoint"], device=self.plan.device)
        scores = score_splits(predictor, dataset, category_splits(dataset))
        record = {
            "checkpoint": trained["checkpoint"],
            "val": trained["metrics"],
            "test": {split: [c.tp, c.fp, c.fn] for split, c in scores.items()},
        }
        atomic_write_text(path, json.dumps(record, indent=2) + "\n")
        return record

    # -- data -------------------------------------------------------------------------
    def _ensure_dataset(self, spec: DatasetSpec) -> Path | None:
        root = self.plan.data_dir(spec)
        if spec.path is not None:
            return root
        from lgad_studio.core.demo.cache import is_complete
        from lgad_studio.core.demo.dataset import generate_demo_dataset

        if is_complete(root):
            return root
        train, val, test = self.plan.sizes_of(spec)
        partial = root.parent / f".{root.name}.partial-{socket.gethostname()}-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        summary = generate_demo_dataset(
            partial, train=train, val=val, test=test, seed=spec.demo_seed, cancel=self.cancel
        )
        if summary.cancelled:
            shutil.rmtree(partial, ignore_errors=True)
            return None
        try:
            partial.rename(root)
        except OSError:  # another process finished the same dataset first
            shutil.rmtree(partial, ignore_errors=True)
            if not is_complete(root):
                raise
        return root

    def _dataset_fingerprint(self, spec: DatasetSpec, root: Path) -> str:
        import hashlib

        if spec.demo_seed is not None:
            from lgad_studio.core.demo.cache import DEMO_VERSION

            text = json.dumps([DEMO_VERSION, spec.demo_seed, list(self.plan.sizes_of(spec))])
            return hashlib.sha256(text.encode()).hexdigest()[:16]
        from lgad_studio.core.formats.dataset import open_dataset
        from lgad_studio.core.training.provenance import list_hash

        dataset = open_dataset(root)
        lists = {s: list_hash(dataset.entries(s)) for s in sorted(dataset.split_names())}
        return hashlib.sha256(json.dumps(lists).encode()).hexdigest()[:16]


def _steps(config, n: int) -> int:
    n = min(n, config.train_limit) if config.train_limit else n
    per_epoch = (
        n // config.batch_size if n >= 2 * config.batch_size else math.ceil(n / config.batch_size)
    )
    if config.steps_per_epoch:
        per_epoch = min(per_epoch, config.steps_per_epoch)
    return per_epoch * config.epochs


def _best_metrics(folder: Path) -> dict:
    """Validation metrics of the epoch whose checkpoint is ``best.pt`` (or the last epoch)."""
    rows = []
    path = folder / "metrics.jsonl"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("type") == "epoch":
                rows.append(record)
    if not rows:
        return {}
    best = max(rows, key=lambda r: (r.get("f1", -1.0), -r["epoch"]))
    keep = ("epoch", "f1", "precision", "recall", "tp", "fp", "fn", "exist_acc")
    return {k: best[k] for k in keep if k in best}


# -- locks --------------------------------------------------------------------------------
def _take_lock(run_dir: Path) -> str | None:
    """Take ``run_dir/.lock``; returns None when taken, else who holds it (a live process)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / ".lock"
    me = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                holder = {}
            if holder.get("host") == me["host"] and not _alive(int(holder.get("pid", -1))):
                path.unlink(missing_ok=True)  # a dead process's lock
                continue
            return f"{holder.get('host', '?')} pid {holder.get('pid', '?')}"
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        return None
    return "unknown"


def _release_lock(run_dir: Path) -> None:
    (run_dir / ".lock").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
