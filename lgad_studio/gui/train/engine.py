"""Job factories over the engine's entry points (imported lazily: the tab opens fast).

Each returns ``make_generator(cancel) -> Iterator[Event]`` for :meth:`JobRunner.submit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from lgad_studio.core.events import Progress
from lgad_studio.core.training.config import StudentConfig, TeacherConfig

Factory = Callable[[object], Iterator[object]]


def teacher_job(config: TeacherConfig) -> Factory:
    def make(cancel) -> Iterator[object]:
        from lgad_studio.core.training import train_teacher

        return train_teacher(config, cancel=cancel)

    return make


def distill_job(config: StudentConfig) -> Factory:
    def make(cancel) -> Iterator[object]:
        from lgad_studio.core.training import distill

        return distill(config, cancel=cancel)

    return make


def export_onnx_job(checkpoint: Path, target: Path) -> Factory:
    """Export a student checkpoint to ONNX; the job's result is the written path."""

    def make(cancel) -> Iterator[object]:
        yield Progress(done=0, total=1, message=f"exporting {checkpoint.name} to ONNX")
        from lgad_studio.core.export import export_onnx

        export_onnx(checkpoint, target)
        yield Progress(done=1, total=1, message=f"wrote {target}")
        return target

    return make
