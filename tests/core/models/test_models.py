"""Shapes of every stage, the width multiplier, the teacher's input adapter."""

from __future__ import annotations

import pytest
import torch

from lgad_studio.core.models import STAGE_NAMES, build_model
from lgad_studio.core.models.blocks import scaled_channels
from lgad_studio.core.models.enet import max_unpool_2x
from lgad_studio.core.models.teacher_input import encode_label, encoding_channels

torch.set_num_threads(1)


@pytest.mark.parametrize("arch", ["enet", "erfnet"])
@pytest.mark.parametrize("in_channels", [3, 5])
def test_stage_shapes(arch: str, in_channels: int) -> None:
    model = build_model(arch, in_channels=in_channels, width=0.25).eval()
    x = torch.randn(2, in_channels, 32, 64)
    out = model(x)
    assert out.seg.shape == (2, 5, 32, 64)
    assert out.exist.shape == (2, 4)
    c16, c64, c128 = (scaled_channels(n, 0.25) for n in (16, 64, 128))
    expected = {
        "initial": (2, c16, 16, 32),
        "stage1": (2, c64, 8, 16),
        "stage2": (2, c128, 4, 8),
        "stage3": (2, c128, 4, 8),
    }
    assert {k: tuple(v.shape) for k, v in out.features.items()} == expected
    assert model.stage_names == STAGE_NAMES


@pytest.mark.parametrize("arch", ["enet", "erfnet"])
def test_stages_are_named_hookable_modules(arch: str) -> None:
    model = build_model(arch, width=0.25).eval()
    seen = {}
    for name in STAGE_NAMES:
        module = getattr(model.encoder, name)
        module.register_forward_hook(lambda _m, _i, out, name=name: seen.__setitem__(name, out))
    model(torch.randn(1, 3, 16, 32))
    assert set(seen) == set(STAGE_NAMES)


def test_width_multiplier_scales_parameters() -> None:
    small = sum(p.numel() for p in build_model("enet", width=0.25).parameters())
    full = sum(p.numel() for p in build_model("enet", width=1.0).parameters())
    assert full > 8 * small


def test_paper_channel_counts_at_width_one() -> None:
    out = build_model("erfnet", width=1.0).eval()(torch.randn(1, 3, 16, 16))
    assert [out.features[s].shape[1] for s in STAGE_NAMES] == [16, 64, 128, 128]


def test_unknown_architecture_is_named() -> None:
    with pytest.raises(ValueError, match="'resnet' unknown"):
        build_model("resnet")


def test_scatter_unpool_equals_max_unpool() -> None:
    x = torch.randn(2, 3, 8, 12)
    pooled, idx = torch.nn.MaxPool2d(2, return_indices=True)(x)
    assert torch.equal(max_unpool_2x(pooled, idx), torch.nn.MaxUnpool2d(2)(pooled, idx))


def test_teacher_encodings() -> None:
    label = torch.tensor([[[0, 1, 2], [3, 4, 0]]])
    onehot = encode_label(label, "onehot")
    assert onehot.shape == (1, 5, 2, 3)
    assert torch.equal(onehot.argmax(1), label)
    assert torch.equal(onehot.sum(1), torch.ones(1, 2, 3))
    lanes = encode_label(label, "lanes")
    assert lanes.shape == (1, 4, 2, 3) and lanes[0, :, 0, 0].sum() == 0
    scalar = encode_label(label, "scalar")
    assert scalar.shape == (1, 1, 2, 3) and float(scalar.max()) == 1.0
    assert [encoding_channels(e) for e in ("onehot", "lanes", "scalar")] == [5, 4, 1]
    with pytest.raises(ValueError, match="'rgb' unknown"):
        encode_label(label, "rgb")
