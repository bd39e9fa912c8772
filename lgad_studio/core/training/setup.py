"""Building a run's pieces from its config: data, loaders, optimiser and schedule."""

from __future__ import annotations

import math
import os

import torch
from torch.utils.data import DataLoader

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training.config import ConfigError, TrainConfig
from lgad_studio.core.training.data import EpochSampler, LaneSamples
from lgad_studio.core.training.distributed import DistInfo
from lgad_studio.core.training.streams import stream_rng, stream_seed


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
    val = validation_subset(dataset.entries(config.val_split), config.val_limit, config.val_seed)
    if not train:
        raise ConfigError(f"{config.data}: split {config.train_split!r} has no images")
    common = {
        "size": tuple(config.input_size),
        "seed": config.seed,
        "line_width": config.label_line_width,
    }
    train_cache = val_cache = None
    if config.image_cache:
        train_cache, val_cache = open_image_cache(config, train, val)
    return (
        LaneSamples(dataset, train, augment=config.augment, cache=train_cache, **common),
        LaneSamples(dataset, val, augment=False, cache=val_cache, **common),
    )


def open_image_cache(config: TrainConfig, train: list[str], val: list[str]):
    """The cache views of the training and validation entries of ``config.image_cache``.

    A cache that covers none of the training images at this input size is a
    mistake (another dataset, another size): :class:`ConfigError` naming the file.
    A partial one is fine; its uncovered or changed images are decoded.
    """
    from lgad_studio.core.training.image_cache import CacheError, ImageCache

    try:
        cache = ImageCache(config.image_cache)
    except CacheError as exc:
        raise ConfigError(f"field 'image_cache': {exc}") from None
    size = tuple(config.input_size)
    train_view, val_view = cache.view(train, size), cache.view(val, size)
    if train_view.covered == 0:
        built = "x".join(str(v) for v in cache.size) or "?"
        raise ConfigError(
            f"field 'image_cache': {cache.path} holds none of the {len(train)} training images "
            f"of {config.data} at {size[0]}x{size[1]} (it was built for {cache.meta.get('dataset')!r} "
            f"at {built}); rebuild it with `lgad-studio prepare-cache` or leave the field empty"
        )
    return train_view, val_view


def validation_subset(entries: list[str], limit: int | None, seed: int) -> list[str]:
    """``limit`` entries drawn at random (stream ``val_subset`` of ``seed``), in split order.

    CULane lists consecutive frames of one clip together, so the first N images of
    the validation split would be a few seconds of one drive; a seeded random
    subset covers the split and is the same in every run that uses the same seed.
    ``None`` (or a limit of at least the split's size) keeps the whole split.
    """
    if limit is None or limit >= len(entries):
        return list(entries)
    if limit <= 0:
        return []
    picked = stream_rng(seed, "val_subset").choice(len(entries), size=limit, replace=False)
    return [entries[i] for i in sorted(picked.tolist())]


def default_workers(device: torch.device, info: DistInfo) -> int:
    """Loader processes when the config says ``None``: 0 on CPU (the training process
    would compete with them for the same cores), else the cores per local rank minus
    one, at most 8."""
    if device.type != "cuda":
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    return max(1, min(8, (cores or 2) // max(local, 1) - 1))


def make_loader(
    samples: LaneSamples, config: TrainConfig, info: DistInfo, device: torch.device
) -> DataLoader:
    """Shuffled ``uint8`` batches of ``(index, epoch)`` keys, sharded over ranks under torchrun."""
    sampler = EpochSampler(
        len(samples), seed=config.seed, rank=info.rank, world_size=info.world_size
    )
    workers = default_workers(device, info) if config.num_workers is None else config.num_workers
    if workers > 0:
        import cv2

        # One core per loader process: OpenCV's own thread pool would oversubscribe the
        # machine. Set before the workers fork (in a forked child the call deadlocks).
        cv2.setNumThreads(1)
    per_rank = math.ceil(len(samples) / info.world_size)
    return DataLoader(
        samples,
        batch_size=config.batch_size,
        sampler=sampler,
        num_workers=workers,
        drop_last=per_rank >= 2 * config.batch_size,  # a last batch of 1 upsets batch norm
        persistent_workers=workers > 0,
        pin_memory=device.type == "cuda",
        generator=torch.Generator().manual_seed(stream_seed(config.seed, "loader")),
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
