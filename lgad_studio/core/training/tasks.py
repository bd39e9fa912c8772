"""What differs between a teacher run and a student run: the model's input and the losses.

A task owns the trained network (and, for LGAD, the frozen teacher). Batches are
dicts of ``image [B, 3, H, W]``, ``label [B, H, W]``, ``exist [B, 4]`` already on
the device. ``losses(model, batch, step)`` returns the named losses of
:func:`~lgad_studio.core.losses.compose_losses`; the model is passed in because
under DDP it is the wrapped one.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from lgad_studio.core.attention import stage_attention
from lgad_studio.core.checkpoint import load_checkpoint
from lgad_studio.core.losses import compose_losses, distillation_terms, mimic_pairs, ramp_weight
from lgad_studio.core.models import LaneNet, build_model
from lgad_studio.core.models.teacher_input import encode_label, encoding_channels
from lgad_studio.core.training.config import ConfigError, StudentConfig, TeacherConfig
from lgad_studio.core.training.streams import torch_stream


class TeacherTask:
    """The teacher learns to reproduce the label map it is given as input."""

    kind = "teacher"

    def __init__(self, config: TeacherConfig, device: torch.device) -> None:
        self.config = config
        self.encoding = config.encoding
        self.in_channels = encoding_channels(config.encoding)
        with torch_stream(config.seed, "teacher_init"):
            model = build_model(config.arch, in_channels=self.in_channels, width=config.width)
        self.model = model.to(device)
        self.preview_stages = ("stage1", "stage2", "stage3")

    def model_input(self, batch: dict[str, Tensor]) -> Tensor:
        return encode_label(batch["label"], self.encoding)

    def losses(
        self, model: torch.nn.Module, batch: dict[str, Tensor], step: int
    ) -> dict[str, Tensor]:
        out = model(self.model_input(batch))
        c = self.config
        return compose_losses(
            out.seg, out.exist, batch["label"], batch["exist"],
            exist_weight=c.exist_weight, background_weight=c.background_weight,
        )  # fmt: skip

    def preview(self, batch: dict[str, Tensor]) -> dict[str, list[np.ndarray]]:
        return {"teacher": _display_maps(self.model, self.model_input(batch), self.preview_stages)}


class StudentTask:
    """A student on images: plain (``none``), or mimicking teacher (``lgad``) / itself (``sad``)."""

    kind = "student"

    def __init__(
        self, config: StudentConfig, device: torch.device, *, steps_per_epoch: int
    ) -> None:
        self.config = config
        self.in_channels = 3
        with torch_stream(config.seed, "student_init"):
            model = build_model(config.arch, in_channels=3, width=config.width)
        self.model = model.to(device)
        self.pairs = mimic_pairs(config.mode, config.resolved_stages())
        self.start_step = round(config.resolved_start_epoch() * steps_per_epoch)
        self.ramp_steps = round(config.resolved_ramp_epochs() * steps_per_epoch)
        self.teacher: LaneNet | None = None
        self.teacher_encoding = "onehot"
        if config.mode == "lgad":
            self._load_teacher(config, device)
        self.preview_stages = tuple(s for s, _ in self.pairs) or ("stage1", "stage2", "stage3")

    def _load_teacher(self, config: StudentConfig, device: torch.device) -> None:
        ckpt = load_checkpoint(config.teacher, kind="teacher")
        if tuple(ckpt.input_size) != tuple(config.input_size):
            raise ConfigError(
                f"{ckpt.path}: the teacher was trained at input size {list(ckpt.input_size)}, "
                f"the student's field 'input_size' is {list(config.input_size)}; they must match"
            )
        self.teacher_encoding = ckpt.config.get("encoding", "onehot")
        with torch.random.fork_rng(devices=[]):  # building it must not consume random state
            self.teacher = ckpt.build_model(device=device)
        for p in self.teacher.parameters():
            p.requires_grad_(False)

    def model_input(self, batch: dict[str, Tensor]) -> Tensor:
        return batch["image"]

    def at_weight(self, step: int) -> float:
        c = self.config
        return ramp_weight(step, weight=c.at_weight, start=self.start_step, ramp=self.ramp_steps)

    def losses(
        self, model: torch.nn.Module, batch: dict[str, Tensor], step: int
    ) -> dict[str, Tensor]:
        c = self.config
        out = model(batch["image"])
        at_terms = None
        if self.pairs:
            if self.teacher is not None:
                self.teacher.eval()
                with torch.no_grad():
                    label_input = encode_label(batch["label"], self.teacher_encoding)
                    target = self.teacher.encode(label_input)
            else:
                target = out.features
            at_terms = distillation_terms(
                out.features, target, self.pairs, norm=c.resolved_norm(), p=c.at_p
            )
        weight = self.at_weight(step)
        losses = compose_losses(
            out.seg, out.exist, batch["label"], batch["exist"], at_terms=at_terms, at_weight=weight,
            exist_weight=c.exist_weight, background_weight=c.background_weight,
        )  # fmt: skip
        if self.pairs:
            losses["lambda"] = torch.tensor(weight, device=losses["loss"].device)
        return losses

    def preview(self, batch: dict[str, Tensor]) -> dict[str, list[np.ndarray]]:
        rows = {"student": _display_maps(self.model, batch["image"], self.preview_stages)}
        if self.teacher is not None:
            label_input = encode_label(batch["label"], self.teacher_encoding)
            rows["teacher"] = _display_maps(self.teacher, label_input, self.preview_stages)
        return rows


def _display_maps(model: LaneNet, x: Tensor, stages: tuple[str, ...]) -> list[np.ndarray]:
    """float32 ``[h, w]`` attention maps of the first sample, scaled to [0, 1] for display."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        features = model(x[:1]).features
    model.train(was_training)
    maps = []
    for s in stages:
        a = stage_attention(features[s], norm="l2")[0].float().cpu().numpy()
        maps.append((a / max(float(a.max()), 1e-12)).astype(np.float32))
    return maps
