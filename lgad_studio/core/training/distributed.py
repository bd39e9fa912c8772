"""DDP helpers: a run started by ``torchrun`` trains on every rank, rank 0 logs and saves.

``torchrun --nproc_per_node=N`` sets ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE``
(``srun`` sets SLURM's, which are mapped to these); without them the run is a
single process and nothing here does anything. Backend: NCCL on CUDA, gloo on
CPU, with an explicit timeout. Validation is sharded over the ranks and its
counts are all-reduced (:func:`all_reduce_sums`).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def env_info() -> DistInfo:
    """The process's place in a torchrun or ``srun`` job (or a single process).

    Under ``srun`` without ``torchrun`` the SLURM task variables are mapped to
    torch's first (:mod:`lgad_studio.core.training.slurm`).
    """
    from lgad_studio.core.training.slurm import slurm_environment

    os.environ.update(slurm_environment(os.environ))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    return DistInfo(int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0")), world)


def init(info: DistInfo, device: torch.device, *, timeout_min: float = 30.0) -> None:
    """Join the process group once (gloo on CPU, NCCL on CUDA), with an explicit timeout."""
    if not info.enabled or dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(
        backend,
        rank=info.rank,
        world_size=info.world_size,
        timeout=datetime.timedelta(minutes=timeout_min),
    )


def barrier(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.barrier()


def broadcast_flag(info: DistInfo, flag: bool, device: torch.device) -> bool:
    """Rank 0's ``flag`` on every rank (used to stop all ranks together)."""
    if not info.enabled or not dist.is_initialized():
        return flag
    t = torch.tensor([1 if flag else 0], device=device)
    dist.broadcast(t, src=0)
    return bool(t.item())


def all_reduce_sums(info: DistInfo, values: dict[str, float], device: torch.device) -> dict:
    """``values`` summed over all ranks (every rank must call this with the same keys)."""
    if not info.enabled or not dist.is_initialized() or not values:
        return dict(values)
    keys = sorted(values)
    t = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return dict(zip(keys, t.tolist(), strict=True))


def shutdown(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()
