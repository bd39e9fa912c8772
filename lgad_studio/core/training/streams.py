"""Independent random streams of a run, so that paired runs differ only where they must.

Every consumer of randomness in training draws from its own stream, derived from
the run's ``seed`` and the stream's name (plus keys such as the epoch, the sample
index, the rank or the step) by :class:`numpy.random.SeedSequence`:

- ``student_init`` / ``teacher_init``: the network's initial weights;
- ``order``: the shuffled order of the training samples, per epoch;
- ``augment``: a sample's augmentation, per (epoch, index);
- ``dropout``: torch's global generator, re-seeded before every step per (rank, step);
- ``loader``: the DataLoader's own base seed (so that it consumes no global state);
- ``val_subset``: which validation images are scored (seeded by ``val_seed``).

Consequences: a baseline, a SAD and an LGAD student of the same seed start from
bit-identical weights and see the same batches with the same augmentation and
the same dropout masks; loading a teacher checkpoint consumes nothing; every
DDP rank draws its own dropout masks; and a run resumed in mid-epoch continues
the exact sequence (each step's randomness depends on the step, not on history).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch

STREAMS = {
    "student_init": 1,
    "teacher_init": 2,
    "order": 3,
    "augment": 4,
    "dropout": 5,
    "loader": 6,
    "val_subset": 7,
}


def stream_seed(seed: int, stream: str, *keys: int) -> int:
    """A 63-bit seed for ``stream`` of run ``seed`` at ``keys`` (e.g. epoch, index)."""
    entropy = [int(seed) & 0xFFFFFFFF, int(seed) >> 32 & 0xFFFFFFFF, STREAMS[stream]]
    entropy += [int(k) for k in keys]
    state = np.random.SeedSequence(entropy).generate_state(2, dtype=np.uint32)
    return (int(state[0]) << 31 | int(state[1]) >> 1) & (2**63 - 1)


def stream_rng(seed: int, stream: str, *keys: int) -> np.random.Generator:
    """A numpy generator of ``stream`` at ``keys``."""
    return np.random.default_rng(stream_seed(seed, stream, *keys))


@contextlib.contextmanager
def torch_stream(seed: int, stream: str, *keys: int) -> Iterator[None]:
    """Run the block with torch's CPU generator seeded from ``stream``; restore it afterwards.

    Used to build networks: their initial weights depend on the stream only, and
    building one consumes nothing of the global state.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(stream_seed(seed, stream, *keys))
        yield


def seed_step(seed: int, *, rank: int, step: int) -> None:
    """Seed torch's global generators (CPU and CUDA) for one training step's dropout."""
    torch.manual_seed(stream_seed(seed, "dropout", rank, step))
