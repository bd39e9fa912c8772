"""Device selection (CUDA, then MPS, then CPU), mixed precision and seeding."""

from __future__ import annotations

import contextlib
import os
import random

import numpy as np
import torch

from lgad_studio.core.training.config import ConfigError


def select_device(preference: str = "auto", *, local_rank: int | None = None) -> torch.device:
    """``auto`` picks CUDA (``cuda:<local_rank>`` under torchrun), then MPS, then CPU."""
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", local_rank or 0)
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(preference)
    except RuntimeError:
        raise ConfigError(
            f"field 'device' is {preference!r}, expected auto, cpu, cuda, cuda:N or mps"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError("field 'device' is 'cuda' but this torch build sees no CUDA device")
    if device.type == "cuda" and device.index is None and local_rank is not None:
        device = torch.device("cuda", local_rank)
    return device


def amp_dtype(choice: str = "auto") -> torch.dtype:
    """``auto``: bfloat16 where the GPU supports it, else float16."""
    if choice == "fp16" or (choice == "auto" and not torch.cuda.is_bf16_supported()):
        return torch.float16
    return torch.bfloat16


def autocast(device: torch.device, enabled: bool, dtype: str = "auto"):
    """bfloat16 or float16 autocast on CUDA (see :func:`amp_dtype`); a no-op elsewhere."""
    if not enabled or device.type != "cuda":
        return contextlib.nullcontext()
    return torch.autocast("cuda", dtype=amp_dtype(dtype))


def needs_grad_scaler(device: torch.device, amp: bool, dtype: str = "auto") -> bool:
    """float16 autocast needs loss scaling; bfloat16 does not."""
    return amp and device.type == "cuda" and amp_dtype(dtype) == torch.float16


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
