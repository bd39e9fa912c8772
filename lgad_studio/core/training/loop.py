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
from lgad_studio.core.training.device import (
    autocast,
    needs_grad_scaler,
    seed_everything,
    select_device,
)
from lgad_studio.core.training.runlog import RunLog
from lgad_studio.core.training.setup import (
    make_loader,
    make_optimizer,
    make_scheduler,
    open_splits,
    steps_per_epoch,
)
from lgad_studio.core.training.tasks import StudentTask, TeacherTask
from lgad_studio.core.training.validate import collate, validate

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
    dist_utils.init(info, device)
    if config.threads:
        torch.set_num_threads(config.threads)
    seed_everything(config.seed + info.rank)
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
        self.loader = make_loader(self.train_set, config, info)
        self.steps_per_epoch = steps_per_epoch(self.loader, config)
        self.total_steps = self.steps_per_epoch * config.epochs
        torch.manual_seed(config.seed)  # identical initial weights on every rank
        if isinstance(config, TeacherConfig):
            self.task = TeacherTask(config, device)
        else:
            self.task = StudentTask(config, device, steps_per_epoch=self.steps_per_epoch)
        self.channels_last = (
            False  # measured: channels_last slows ENet down on CPU (PReLU, scatter)
        )
        if self.channels_last:
            self.task.model.to(memory_format=torch.channels_last)
        self.model = self.task.model
        if info.enabled:
            ids = [device.index] if device.type == "cuda" else None
            self.model = torch.nn.parallel.DistributedDataParallel(self.task.model, device_ids=ids)
        self.optimizer = make_optimizer(self.task.model, config)
        self.scheduler = make_scheduler(self.optimizer, config, self.total_steps)
        self.scaler = torch.amp.GradScaler("cuda", enabled=needs_grad_scaler(device, config.amp))
        self.run_dir = Path(config.out)
        self.log = RunLog(self.run_dir, enabled=info.is_main)
        self.epoch, self.step, self.best_f1 = 0, 0, -1.0
        self.metrics: dict[str, float] = {}
        if config.resume:
            self._resume(config.resume)

    # -- checkpoints ----------------------------------------------------------------------
    def _resume(self, path: str) -> None:
        ckpt = load_checkpoint(path, kind=self.task.kind, arch=self.config.arch)
        self.task.model.load_state_dict(ckpt.data["model"])
        self.optimizer.load_state_dict(ckpt.data["optimizer"])
        self.scheduler.load_state_dict(ckpt.data["scheduler"])
        self.epoch, self.step = ckpt.epoch, int(ckpt.data.get("step", 0))
        self.metrics = dict(ckpt.metrics)
        self.best_f1 = float(ckpt.data.get("best_f1", -1.0))

    def _save(self, name: str) -> Path:
        c = self.config
        return save_checkpoint(
            self.run_dir / name,
            {
                "kind": self.task.kind, "arch": c.arch, "in_channels": self.task.in_channels,
                "width": c.width, "num_classes": 5, "input_size": list(c.input_size),
                "model": self.task.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(), "epoch": self.epoch, "step": self.step,
                "config": c.to_dict(), "metrics": dict(self.metrics), "best_f1": self.best_f1,
            },
        )  # fmt: skip

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> Iterator[Event]:
        self.log.write_config(self.config.to_json())
        last_ckpt: Path | None = None
        best_ckpt: Path | None = (
            self.run_dir / "best.pt" if (self.run_dir / "best.pt").exists() else None
        )
        self._last_event = self._last_preview = 0.0
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
            if self.info.is_main:
                self.metrics = {**self._train_means, **self._validate()}
                improved = self.metrics.get("f1", -1.0) > self.best_f1
                if improved:
                    self.best_f1 = self.metrics["f1"]
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
        yield Finished(self.run_dir, last_ckpt, best_ckpt, dict(self.metrics), cancelled=False)

    def _lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def _train_epoch(self, epoch: int):
        """Yields step events; returns True when cancelled."""
        self.train_set.set_epoch(epoch)
        sampler = self.loader.sampler
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        else:
            sampler.generator.manual_seed(self.config.seed * 1000 + epoch)
        self.model.train()
        sums: dict[str, float] = {}
        count = 0
        tick = time.monotonic()
        for i, batch in enumerate(self.loader):
            if i >= self.steps_per_epoch:
                break
            if dist_utils.broadcast_flag(self.info, self.cancel.is_set(), self.device):
                return True
            losses = self._step(batch)
            count += 1
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + v
            now = time.monotonic()
            images_per_s = len(batch["image"]) * self.info.world_size / max(now - tick, 1e-9)
            tick = now
            if now - self._last_event >= STEP_EVENT_INTERVAL_S or i + 1 == self.steps_per_epoch:
                self._last_event = now
                self.log.step(step=self.step, epoch=epoch, losses=losses, lr=self._lr())
                yield StepMetrics(
                    self.step, epoch, self.total_steps, losses, self._lr(), images_per_s
                )
            preview = self._preview(now)
            if preview is not None:
                yield preview
        if self.cancel.is_set() and not self.info.enabled:
            return True
        self._train_means = {f"train_{k}": v / max(count, 1) for k, v in sums.items()}
        return False

    def _step(self, batch: dict) -> dict[str, float]:
        batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items() if k != "index"}
        if self.channels_last:
            batch["image"] = batch["image"].contiguous(memory_format=torch.channels_last)
        self.step += 1
        with autocast(self.device, self.config.amp):
            losses = self.task.losses(self.model, batch, self.step)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(losses["loss"]).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        return {k: float(v.detach()) for k, v in losses.items()}

    def _preview(self, now: float) -> Preview | None:
        interval = self.config.preview_interval_s
        if not interval or not self.info.is_main or len(self.val_set) == 0:
            return None
        if now - self._last_preview < interval:
            return None
        self._last_preview = now
        image, _label, _lanes = self.val_set.sample(0)
        batch = {k: v.to(self.device) for k, v in collate([self.val_set[0]]).items()}
        rows = self.task.preview(batch)
        return Preview(self.step, image.copy(), self.task.preview_stages, rows)

    def _validate(self) -> dict[str, float]:
        if len(self.val_set) == 0:
            return {}
        counts = validate(
            self.task.model,
            self.val_set.dataset,
            entries=self.val_set.entries,
            input_size=tuple(self.config.input_size),
            teacher_encoding=self.task.encoding if self.task.kind == "teacher" else None,
            line_width=self.config.label_line_width,
            device=self.device,
        )
        return counts.metrics()
