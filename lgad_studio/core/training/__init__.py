"""Training: configs, data, the event generator for teacher and students, DDP helpers."""

from __future__ import annotations

from lgad_studio.core.training.config import ConfigError, StudentConfig, TeacherConfig, TrainConfig
from lgad_studio.core.training.loop import distill, train_teacher

__all__ = [
    "ConfigError",
    "StudentConfig",
    "TeacherConfig",
    "TrainConfig",
    "distill",
    "train_teacher",
]
