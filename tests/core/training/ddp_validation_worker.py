"""Run by ``torchrun`` in ``test_distributed``: sharded validation counts, all-reduced, to a file.

argv: DATA_ROOT OUT_JSON. Every rank builds the same untrained-but-seeded student,
scores its shard of the validation split and all-reduces the counts; rank 0
writes them to OUT_JSON.
"""

from __future__ import annotations

import json
import sys

import torch
import torch.distributed as dist

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.models import build_model
from lgad_studio.core.training.data import LaneSamples
from lgad_studio.core.training.distributed import all_reduce_sums, env_info, init, shutdown
from lgad_studio.core.training.validate import validate


def model_for_validation() -> torch.nn.Module:
    """A deterministic network whose output has lanes (a biased head, so counts are non-zero)."""
    torch.manual_seed(7)
    model = build_model("enet", width=0.25)
    with torch.no_grad():  # slot 1 everywhere and sure to exist: one detection per image
        model.exist_head.fc[2].bias.copy_(torch.tensor([6.0, -6.0, -6.0, -6.0]))
        model.decoder.full_conv.bias[1] += 6.0
    return model.eval()


def main() -> None:
    root, out = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    info = env_info()
    init(info, torch.device("cpu"), timeout_min=5)
    dataset = open_dataset(root)
    samples = LaneSamples(dataset, dataset.entries("val"), size=(64, 24))
    shard = samples.shard(info.rank, info.world_size)
    counts = validate(
        model_for_validation(),
        shard.dataset,
        entries=shard.entries,
        input_size=(64, 24),
        device=torch.device("cpu"),
    ).as_dict()
    counts = all_reduce_sums(info, counts, torch.device("cpu"))
    if info.rank == 0:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"counts": counts, "shard": len(shard.entries)}, fh)
    dist.barrier()
    shutdown(info)


if __name__ == "__main__":
    main()
