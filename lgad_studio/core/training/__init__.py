"""Training: configs, data, the event generator for teacher and students, DDP helpers.

``distill`` and ``train_teacher`` are imported on first use (PEP 562): importing the
configs must not import torch, or the studio's window takes seconds longer to appear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lgad_studio.core.training.config import ConfigError, StudentConfig, TeacherConfig, TrainConfig

if TYPE_CHECKING:
    from lgad_studio.core.training.loop import distill, train_teacher

__all__ = [
    "ConfigError",
    "StudentConfig",
    "TeacherConfig",
    "TrainConfig",
    "distill",
    "train_teacher",
]


def __getattr__(name: str):
    if name in ("distill", "train_teacher"):
        from lgad_studio.core.training import loop

        return getattr(loop, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
