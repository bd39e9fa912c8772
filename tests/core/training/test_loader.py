"""The training loader: reduced decoding, uint8 batches, epoch-dependent augmentation with workers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.core.training import TeacherConfig
from lgad_studio.core.training.data import (
    EpochSampler,
    LaneSamples,
    lane_existence,
    normalize,
    prepare_batch,
    read_input_image,
    reduction_factor,
    resize_image,
    to_tensor,
)
from lgad_studio.core.training.distributed import DistInfo
from lgad_studio.core.training.setup import make_loader, validation_subset


def test_reduction_factor_keeps_the_input_size_reachable() -> None:
    assert reduction_factor((1640, 590), (800, 288)) == 2
    assert reduction_factor((1640, 590), (400, 144)) == 4
    assert reduction_factor((1640, 590), (200, 72)) == 8
    assert reduction_factor((1280, 720), (800, 288)) == 1
    assert reduction_factor((100, 40), (200, 72)) == 1


def test_reduced_decode_is_close_to_a_full_decode(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    entry = ds.entries("train")[0]
    reduced, source = read_input_image(ds, entry, (200, 72))
    assert source == (1640, 590) and reduced.shape == (72, 200, 3) and reduced.dtype == np.uint8
    full = resize_image(ds.read_image(entry), (200, 72))
    assert np.abs(reduced.astype(int) - full.astype(int)).mean() < 3.0


def test_items_are_uint8_and_existence_comes_from_the_lanes(culane_root: Path) -> None:
    ds = open_dataset(culane_root)
    samples = LaneSamples(ds, ds.entries("train"), size=(200, 72), augment=True, seed=1)
    for index in range(len(samples)):
        item = samples[(index, 3)]
        present = {int(v) for v in torch.unique(item["label"]).tolist() if v}
        assert [float(s in present) for s in (1, 2, 3, 4)] == item["exist"].tolist()


def test_existence_ignores_lanes_outside_the_frame() -> None:
    from lgad_studio.core.lanes import Lane, LaneSet

    lanes = LaneSet(
        (Lane([[10.0, 70.0], [20.0, 40.0]], 2), Lane([[-50.0, 70.0], [-30.0, 40.0]], 1)),
        image_size=(200, 72),
    )
    assert lane_existence(lanes, (200, 72)) == [0.0, 1.0, 0.0, 0.0]


def test_device_normalisation_matches_the_inference_tensor() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(2, 8, 16, 3), dtype=np.uint8)
    batch = normalize(torch.from_numpy(images))
    assert batch.shape == (2, 3, 8, 16) and batch.dtype == torch.float32
    assert torch.equal(batch[1], to_tensor(images[1]))
    identity = normalize(torch.from_numpy(images), torch.tensor([[1.0, 0.0], [1.0, 0.0]]))
    assert torch.allclose(identity, batch, atol=1e-5)
    brighter = normalize(torch.from_numpy(images), torch.tensor([[1.0, 0.2], [1.0, 0.2]]))
    assert (brighter >= batch - 1e-6).all() and (brighter > batch + 1e-3).any()


def test_sampler_orders_differ_per_epoch_and_shard_without_overlap() -> None:
    one = EpochSampler(10, seed=3)
    one.set_epoch(1)
    first = [i for i, _ in one]
    one.set_epoch(2)
    second = [i for i, _ in one]
    assert sorted(first) == sorted(second) == list(range(10)) and first != second
    ranks = [EpochSampler(10, seed=3, rank=r, world_size=2) for r in (0, 1)]
    for r in ranks:
        r.set_epoch(2)
    shards = [[i for i, _ in r] for r in ranks]
    assert sorted(shards[0] + shards[1]) == list(range(10))
    one.set_epoch(2)
    one.set_start(4)
    assert [i for i, _ in one] == second[4:]


@pytest.mark.slow
def test_augmentation_differs_across_epochs_with_a_worker(culane_root: Path) -> None:
    config = TeacherConfig(
        data=str(culane_root), input_size=(64, 24), batch_size=8, num_workers=1, seed=4
    )
    ds = open_dataset(culane_root)
    samples = LaneSamples(ds, ds.entries("train"), size=(64, 24), augment=True, seed=4)

    def batches(loader, epoch: int) -> dict[int, np.ndarray]:
        loader.sampler.set_epoch(epoch)
        out = {}
        for batch in loader:
            for j, index in enumerate(batch["index"].tolist()):
                out[index] = batch["image"][j].numpy()
        return out

    loader = make_loader(samples, config, DistInfo(), torch.device("cpu"))
    assert loader.num_workers == 1 and loader.persistent_workers
    epoch1, epoch2 = batches(loader, 1), batches(loader, 2)
    assert set(epoch1) == set(epoch2) == set(range(8))
    assert all(not np.array_equal(epoch1[i], epoch2[i]) for i in range(8))
    again = batches(make_loader(samples, config, DistInfo(), torch.device("cpu")), 2)
    assert all(np.array_equal(again[i], epoch2[i]) for i in range(8))  # reproducible


def test_prepare_batch_gives_network_inputs(culane_root: Path) -> None:
    from lgad_studio.core.training.validate import collate

    ds = open_dataset(culane_root)
    samples = LaneSamples(ds, ds.entries("val"), size=(64, 24))
    batch = prepare_batch(collate([samples[0], samples[1]]), torch.device("cpu"))
    assert batch["image"].shape == (2, 3, 24, 64) and batch["image"].dtype == torch.float32
    assert batch["label"].dtype == torch.int64 and batch["exist"].shape == (2, 4)


def test_validation_subset_is_seeded_spread_and_ordered() -> None:
    entries = [f"clip/{i:05d}.jpg" for i in range(1000)]
    a = validation_subset(entries, 50, 0)
    assert a == validation_subset(entries, 50, 0) and a == sorted(a) and len(set(a)) == 50
    assert a != entries[:50] and a != validation_subset(entries, 50, 1)
    assert max(int(e[5:10]) for e in a) > 500  # not the first frames of the split
    assert validation_subset(entries, None, 0) == entries
    assert validation_subset(entries, 5000, 0) == entries and validation_subset(entries, 0, 0) == []


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_rgb_decoding_is_the_bgr_decode_channel_swapped(tmp_path: Path, suffix: str) -> None:
    """Items decode straight to RGB: the same pixels as the BGR decode then ``cvtColor``."""
    import cv2

    from lgad_studio.core.formats.images import read_image, read_image_bgr
    from lgad_studio.core.training.data import _RGB_FLAGS

    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.integers(0, 256, (590, 1640, 3), dtype=np.uint8), (9, 9), 3)
    path = tmp_path / f"frame{suffix}"
    cv2.imwrite(str(path), image)
    bgr_flags = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2}
    bgr_flags |= {4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}
    for f, flags in bgr_flags.items():
        expected = cv2.cvtColor(read_image_bgr(path, flags=flags), cv2.COLOR_BGR2RGB)
        got = read_image(path, flags=_RGB_FLAGS[f])
        assert got.shape == expected.shape and np.array_equal(got, expected), f
