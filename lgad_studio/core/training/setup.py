"""Building a run's pieces from its config: data, loaders, optimiser and schedule."""

from __future__ import annotations

import math

import torch
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training.config import ConfigError, TrainConfig
from lgad_studio.core.training.data import LaneSamples
from lgad_studio.core.training.distributed import DistInfo


def open_splits(config: TrainConfig) -> tuple[LaneSamples, LaneSamples]:
    """Training (augmented) and validation samples of ``config.data``."""
    dataset = open_dataset(config.data)
    splits = dataset.split_names()
    for field, split in (("train_split", config.train_split), ("val_split", config.val_split)):
        if split not in splits:
            raise ConfigError(
                f"{config.data}: field {field!r} is {split!r}, the dataset has splits {splits}"
            )
    train = dataset.entries(config.train_split)[: config.train_limit]
    val = dataset.entries(config.val_split)[: config.val_limit]
    if not train:
        raise ConfigError(f"{config.data}: split {config.train_split!r} has no images")
    common = {
        "size": tuple(config.input_size),
        "seed": config.seed,
        "line_width": config.label_line_width,
    }
    return (
        LaneSamples(dataset, train, augment=config.augment, **common),
        LaneSamples(dataset, val, augment=False, **common),
    )


def make_loader(samples: LaneSamples, config: TrainConfig, info: DistInfo) -> DataLoader:
    """Shuffled batches; a :class:`DistributedSampler` shards them under torchrun."""
    if info.enabled:
        sampler = DistributedSampler(
            samples, num_replicas=info.world_size, rank=info.rank, shuffle=True, seed=config.seed
        )
    else:
        generator = torch.Generator().manual_seed(config.seed)
        sampler = RandomSampler(samples, generator=generator)
    per_rank = math.ceil(len(samples) / info.world_size)
    return DataLoader(
        samples,
        batch_size=config.batch_size,
        sampler=sampler,
        num_workers=config.num_workers,
        drop_last=per_rank >= 2 * config.batch_size,  # a last batch of 1 upsets batch norm
        persistent_workers=config.num_workers > 0,
    )


def steps_per_epoch(loader: DataLoader, config: TrainConfig) -> int:
    steps = len(loader)
    return min(steps, config.steps_per_epoch) if config.steps_per_epoch else steps


def make_optimizer(model: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9, weight_decay=config.weight_decay)
    return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)


def make_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, total_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-step factor: linear warm-up, then poly (power 0.9), cosine or constant."""
    warmup = config.warmup_steps
    kind = config.scheduler

    def factor(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        t = min(1.0, max(0.0, (step - warmup) / max(1, total_steps - warmup)))
        if kind == "poly":
            return max(1e-3, (1 - t) ** 0.9)
        if kind == "cosine":
            return max(1e-3, 0.5 * (1 + math.cos(math.pi * t)))
        return 1.0

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
