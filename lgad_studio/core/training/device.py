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


def autocast(device: torch.device, enabled: bool):
    """bfloat16 (or float16 without bf16 support) autocast on CUDA; a no-op elsewhere."""
    if not enabled or device.type != "cuda":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast("cuda", dtype=dtype)


def needs_grad_scaler(device: torch.device, amp: bool) -> bool:
    """float16 autocast needs loss scaling; bfloat16 does not."""
    return amp and device.type == "cuda" and not torch.cuda.is_bf16_supported()


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
