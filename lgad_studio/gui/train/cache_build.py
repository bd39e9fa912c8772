"""**Build…** beside the Train tab's image cache: ``lgad-studio prepare-cache`` as a job.

The cache holds the open dataset's ``train`` and ``val`` images (those it has) as the
student form's input size decodes them. The build is core's
:func:`~lgad_studio.core.training.image_cache_build.build_image_cache` generator on the
main job queue (one heavy job at a time, like a training run). Its progress goes to
the tab's bar; the button reads **Cancel build** while it runs. The file is written
under a temporary name and renamed over the target when complete, so a cancel or a
full disk leaves nothing behind and an older cache at that path intact. When the
build finishes, the options read the new cache.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from lgad_studio.gui.jobs import Job, JobRunner

SPLITS = ("train", "val")


def cache_build_job(data: Path, size: tuple[int, int], target: Path, workers: int):
    """A job factory: open the dataset, then build its cache; stops at a cancel, leaving nothing."""

    def make(cancel):
        from lgad_studio.core.events import Progress
        from lgad_studio.core.formats.dataset import open_dataset
        from lgad_studio.core.training.image_cache_build import build_image_cache

        yield Progress(0, 0, f"listing {data.name}")
        dataset = open_dataset(data)
        names = [s for s in SPLITS if s in dataset.split_names()]
        entries = [e for s in names for e in dataset.entries(s)]
        build = build_image_cache(dataset, entries, size, target, workers=workers)
        try:
            while not cancel.is_set():
                try:
                    yield next(build)
                except StopIteration as stop:
                    return stop.value
            return None  # cancelled: closing the build removes its temporary file
        finally:
            build.close()

    return make


def default_cache_name(data: Path, size: tuple[int, int]) -> str:
    """``culane-800x288.lgadcache``: the dataset folder and the input size it is for."""
    return f"{data.name or 'dataset'}-{size[0]}x{size[1]}.lgadcache"


def describe(summary: dict) -> str:
    from lgad_studio.core.training.image_cache_build import format_size

    return (
        f"Image cache {summary['path']}: {summary['images']:,} images "
        f"({summary['decoded']:,} decoded, {summary['reused']:,} unchanged), "
        f"{format_size(summary['bytes'])}"
    )


class CacheBuilder(QObject):
    """One cache build at a time for the tab, reported on the tab's bar and options row."""

    built = Signal(object)  # the summary dict of a finished build
    failed = Signal(str, str)  # message, details

    def __init__(self, runner: JobRunner, host: QWidget, options, progress) -> None:
        super().__init__(host)
        self._runner, self._host, self._options, self._progress = runner, host, options, progress
        self.job: Job | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None and not self.job.state.is_terminal

    def request(self, data: Path, size: tuple[int, int]) -> Job | None:
        """**Build…** clicked: ask where to write the cache, then build it (while a build is
        queued or running, the same button cancels it)."""
        if self.busy:
            self.job.cancel()
            return None
        runs = self._options.runs_root  # not made yet before the first run: the data's folder
        folder = runs if runs.is_dir() else Path(data).parent
        start = self._options.image_cache_path() or folder / default_cache_name(data, size)
        target, _ = QFileDialog.getSaveFileName(
            self._host, f"Build an image cache for input {size[0]}x{size[1]}", str(start),
            "Image caches (*.lgadcache)",
        )  # fmt: skip
        return self.build(data, size, Path(target)) if target else None

    def build(self, data: Path, size: tuple[int, int], target: Path) -> Job:
        """Queue the build of ``target`` for ``data`` at input ``size``."""
        threads = self._options.threads.value()  # the tab's CPU budget: decoding threads
        factory = cache_build_job(Path(data), size, Path(target), threads if threads > 1 else 0)
        job = self._runner.submit(f"image cache {Path(target).name}", factory)
        job.started.connect(lambda: self._progress.start(job.name))
        job.progress.connect(self._progress.update_progress)
        job.finished.connect(self._on_finished)
        job.errored.connect(self._on_errored)
        job.cancelled.connect(self._on_cancelled)
        job.ended.connect(lambda: self._options.set_building(False))
        self.job = job
        self._options.set_building(True)
        return job

    def _on_finished(self, summary: dict) -> None:
        self._options.set_image_cache(summary["path"])
        self._progress.stop(describe(summary), complete=True)
        self.built.emit(summary)

    def _on_cancelled(self) -> None:
        self._progress.stop(
            "Image cache build cancelled (a partial file is never kept)", reset=True
        )

    def _on_errored(self, message: str, details: str) -> None:
        self._progress.stop("Image cache build failed", reset=True)
        self.failed.emit(message, details)
