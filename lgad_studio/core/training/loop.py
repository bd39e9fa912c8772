"""The training generator: one loop for the teacher and every student, yielding typed events.

``train_teacher(config)`` and ``distill(config)`` return iterators of
:mod:`lgad_studio.core.events`: ``StepMetrics`` (at most ~10 per second),
``Preview`` (at most one per ``preview_interval_s``), per epoch
``CheckpointWritten`` then ``EpochEnd``, and finally ``Finished``. Setting the
``cancel`` event stops the loop before the next step; the current state is then
saved as ``last.pt`` and ``Finished(cancelled=True)`` is yielded. The config is
checked when the function is called; everything else runs lazily, in the thread
that iterates.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import torch

from lgad_studio.core.checkpoint import load_checkpoint, save_checkpoint
from lgad_studio.core.events import (
    CheckpointWritten,
    EpochEnd,
    Event,
    Finished,
    Preview,
    StepMetrics,
)
from lgad_studio.core.training import distributed as dist_utils
from lgad_studio.core.training.config import StudentConfig, TeacherConfig, TrainConfig
from lgad_studio.core.training.data import prepare_batch
from lgad_studio.core.training.device import autocast, needs_grad_scaler, select_device
from lgad_studio.core.training.runlog import RunLog
from lgad_studio.core.training.setup import (
    make_loader,
    make_optimizer,
    make_scheduler,
    open_splits,
    steps_per_epoch,
)
from lgad_studio.core.training.streams import seed_step
from lgad_studio.core.training.tasks import StudentTask, TeacherTask
from lgad_studio.core.training.validate import collate

STEP_EVENT_INTERVAL_S = 0.1


def train_teacher(
    config: TeacherConfig, *, cancel: threading.Event | None = None
) -> Iterator[Event]:
    """Train the label-map teacher; see the module docstring for the events."""
    config.validate()
    return _run(config, cancel or threading.Event())


def distill(config: StudentConfig, *, cancel: threading.Event | None = None) -> Iterator[Event]:
    """Train a student (``lgad``, ``sad`` or ``none``); see the module docstring for the events."""
    config.validate()
    return _run(config, cancel or threading.Event())


def _run(config: TrainConfig, cancel: threading.Event) -> Iterator[Event]:
    info = dist_utils.env_info()
    device = select_device(config.device, local_rank=info.local_rank if info.enabled else None)
    dist_utils.init(info, device, timeout_min=config.dist_timeout_min)
    if config.threads:
        torch.set_num_threads(config.threads)
    try:
        yield from _Engine(config, info, device, cancel).run()
    finally:
        dist_utils.shutdown(info)


class _Engine:
    def __init__(
        self, config: TrainConfig, info, device: torch.device, cancel: threading.Event
    ) -> None:
        self.config, self.info, self.device, self.cancel = config, info, device, cancel
        self.train_set, self.val_set = open_splits(config)
        self.loader = make_loader(self.train_set, config, info, device)
        self.steps_per_epoch = steps_per_epoch(self.loader, config)
        self.total_steps = self.steps_per_epoch * config.epochs
        # initial weights come from the run's own streams (identical on every rank and mode)
        if isinstance(config, TeacherConfig):
            self.task = TeacherTask(config, device)
        else:
            self.task = StudentTask(config, device, steps_per_epoch=self.steps_per_epoch)
        self.model = self.task.model
        if info.enabled:
            ids = [device.index] if device.type == "cuda" else None
            self.model = torch.nn.parallel.DistributedDataParallel(self.task.model, device_ids=ids)
        self.optimizer = make_optimizer(self.task.model, config)
        self.scheduler = make_scheduler(self.optimizer, config, self.total_steps)
        self.scaler = torch.amp.GradScaler(
            "cuda", enabled=needs_grad_scaler(device, config.amp, config.amp_dtype)
        )
        self.run_dir = Path(config.out)
        self.log = RunLog(self.run_dir, enabled=info.is_main, tensorboard=config.tensorboard)
        # No validation yet: any result beats it, an undefined F1 (-1, nothing detected) too.
        self.epoch, self.step, self.best_f1 = 0, 0, -math.inf
        # a run cancelled in mid-epoch resumes after the steps it had done, with their sums
        self.epoch_step, self.epoch_sums, self.epoch_count = 0, {}, 0
        self.metrics: dict[str, float] = {}
        if config.resume:
            self._resume(config.resume)

    # -- checkpoints ----------------------------------------------------------------------
    def _resume(self, path: str) -> None:
        ckpt = load_checkpoint(path, kind=self.task.kind, arch=self.config.arch)
        self.task.model.load_state_dict(ckpt.data["model"])
        self.optimizer.load_state_dict(ckpt.data["optimizer"])
        self.scheduler.load_state_dict(ckpt.data["scheduler"])
        if ckpt.data.get("scaler"):
            self.scaler.load_state_dict(ckpt.data["scaler"])
        self.epoch, self.step = ckpt.epoch, int(ckpt.data.get("step", 0))
        self.epoch_step = int(ckpt.data.get("epoch_step", 0))
        self.epoch_count = int(ckpt.data.get("epoch_count", 0))
        self.epoch_sums = {
            k: torch.tensor(float(v), device=self.device)
            for k, v in ckpt.data.get("epoch_sums", {}).items()
        }
        self.metrics = dict(ckpt.metrics)
        self.best_f1 = float(ckpt.data.get("best_f1", -math.inf))

    def _save(self, name: str) -> Path:
        c = self.config
        return save_checkpoint(
            self.run_dir / name,
            {
                "kind": self.task.kind, "arch": c.arch, "in_channels": self.task.in_channels,
                "width": c.width, "num_classes": 5, "input_size": list(c.input_size),
                "model": self.task.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(), "scaler": self.scaler.state_dict(),
                "epoch": self.epoch, "step": self.step, "epoch_step": self.epoch_step,
                "epoch_sums": _floats(self.epoch_sums), "epoch_count": self.epoch_count,
                "config": c.to_dict(), "metrics": dict(self.metrics), "best_f1": self.best_f1,
            },
        )  # fmt: skip

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> Iterator[Event]:
        self.log.write_config(self.config.to_json())
        if self.info.is_main:
            self.log.write_run_info(self._run_info())
        last_ckpt: Path | None = None
        best_ckpt: Path | None = (
            self.run_dir / "best.pt" if (self.run_dir / "best.pt").exists() else None
        )
        self._last_event = self._last_preview = time.monotonic()
        self._images_since, self._waited = 0, 0.0
        try:
            while self.epoch < self.config.epochs:
                epoch = self.epoch + 1
                cancelled = yield from self._train_epoch(epoch)
                if cancelled:
                    if self.info.is_main:
                        last_ckpt = self._save("last.pt")
                        yield CheckpointWritten(last_ckpt, self.epoch, False)
                    yield Finished(
                        self.run_dir, last_ckpt, best_ckpt, dict(self.metrics), cancelled=True
                    )
                    return
                self.epoch = epoch
                train_means = {
                    f"train_{k}": v / max(self.epoch_count, 1)
                    for k, v in _floats(self.epoch_sums).items()
                }
                self.epoch_step, self.epoch_sums, self.epoch_count = 0, {}, 0
                self.metrics = {**train_means, **self._validate()}  # every rank takes part
                improved = "f1" in self.metrics and self.metrics["f1"] > self.best_f1
                if improved:
                    self.best_f1 = self.metrics["f1"]
                if self.info.is_main:
                    last_ckpt = self._save("last.pt")
                    yield CheckpointWritten(last_ckpt, epoch, False)
                    if improved:
                        best_ckpt = self._save("best.pt")
                        yield CheckpointWritten(best_ckpt, epoch, True)
                    self.log.epoch(
                        {"epoch": epoch, "step": self.step, "lr": self._lr(), **self.metrics}
                    )
                    yield EpochEnd(epoch, self.config.epochs, dict(self.metrics))
                dist_utils.barrier(self.info)
        finally:
            self.log.close()
        yield Finished(self.run_dir, last_ckpt, best_ckpt, dict(self.metrics), cancelled=False)

    def _run_info(self) -> dict:
        from lgad_studio.core.training.provenance import default_label_cache, run_info

        dataset = self.train_set.dataset
        info = run_info(
            train_entries=self.train_set.entries,
            val_entries=self.val_set.entries,
            device=self.device,
            world_size=self.info.world_size,
            dataset=dataset,
            label_cache=default_label_cache(dataset.root),
        )
        if self.config.image_cache:  # how many images come from the cache, how many decode
            info["image_cache"] = {
                "path": self.config.image_cache,
                **{
                    name: samples.cache.coverage(dataset, samples.entries)
                    for name, samples in (("train", self.train_set), ("val", self.val_set))
                },
            }
        return info

    def _lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def _train_epoch(self, epoch: int):
        """Yields step events; returns True when cancelled."""
        sampler = self.loader.sampler
        sampler.set_epoch(epoch)
        start = self.epoch_step
        if start:
            sampler.set_start(start * self.config.batch_size)
        self.model.train()
        batches = iter(self.loader)
        while True:
            waited = time.monotonic()
            batch = next(batches, None)
            self._waited += time.monotonic() - waited
            if batch is None or self.epoch_step >= self.steps_per_epoch:
                break
            if dist_utils.broadcast_flag(self.info, self.cancel.is_set(), self.device):
                return True
            losses = self._step(batch)
            self.epoch_step += 1
            self.epoch_count += 1
            for k, v in losses.items():
                self.epoch_sums[k] = self.epoch_sums[k] + v if k in self.epoch_sums else v
            self._images_since += len(batch["image"]) * self.info.world_size
            now = time.monotonic()
            last = self.epoch_step == self.steps_per_epoch
            if now - self._last_event >= STEP_EVENT_INTERVAL_S or last:
                values = _floats(losses)  # the only host sync of the step
                span = max(now - self._last_event, 1e-9)
                images_per_s = self._images_since / span
                share = min(1.0, self._waited / span)
                self._last_event, self._images_since, self._waited = now, 0, 0.0
                self.log.step(step=self.step, epoch=epoch, losses=values, lr=self._lr())
                yield StepMetrics(
                    self.step, epoch, self.total_steps, values, self._lr(), images_per_s, share
                )
            preview = self._preview(now)
            if preview is not None:
                yield preview
        return bool(self.cancel.is_set() and not self.info.enabled)

    def _step(self, raw: dict) -> dict[str, torch.Tensor]:
        """One optimisation step; returns the detached losses (still on the device)."""
        batch = prepare_batch(raw, self.device)
        self.step += 1
        seed_step(self.config.seed, rank=self.info.rank, step=self.step)  # dropout masks
        with autocast(self.device, self.config.amp, self.config.amp_dtype):
            losses = self.task.losses(self.model, batch, self.step)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(losses["loss"]).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        return {k: v.detach() for k, v in losses.items()}

    def _preview(self, now: float) -> Preview | None:
        interval = self.config.preview_interval_s
        if not interval or not self.info.is_main or len(self.val_set) == 0:
            return None
        if now - self._last_preview < interval:
            return None
        self._last_preview = now
        image, _label, _lanes, _jitter = self.val_set.sample(0)
        batch = prepare_batch(collate([self.val_set[0]]), self.device)
        rows = self.task.preview(batch)
        return Preview(self.step, image.copy(), self.task.preview_stages, rows)

    def _validate(self) -> dict[str, float]:
        """Validation metrics, sharded over ranks (counts all-reduced: equal to one process).

        Each rank scores its shard through the core evaluation path (a teacher is fed the
        label maps of the ground truth, as in training); the raw counts are summed.
        """
        from lgad_studio.core.training.validate import ValidationCounts, validate

        if len(self.val_set) == 0:
            return {}
        shard = self.val_set.shard(self.info.rank, self.info.world_size)
        counts = validate(
            self.task.model,
            shard.dataset,
            entries=shard.entries,
            input_size=tuple(self.config.input_size),
            teacher_encoding=self.task.encoding if self.task.kind == "teacher" else None,
            line_width=self.config.label_line_width,
            device=self.device,
        )
        pooled = dist_utils.all_reduce_sums(self.info, counts.as_dict(), self.device)
        return ValidationCounts.from_dict(pooled).metrics()


def _floats(tensors: dict[str, torch.Tensor]) -> dict[str, float]:
    """Detached scalar tensors as Python floats, in one device-to-host copy."""
    if not tensors:
        return {}
    values = torch.stack([t.float().reshape(()) for t in tensors.values()]).tolist()
    return dict(zip(tensors, values, strict=True))
