"""ENet (Paszke et al., 2016) encoder and decoder, with a width multiplier.

The encoder is four named stages (``initial``, ``stage1``, ``stage2``,
``stage3``), each a module whose output is the stage's feature map, so
attention can be tapped anywhere (forward hooks or :meth:`ENetEncoder.forward`'s
feature dict). For an input ``[B, C_in, H, W]`` (H, W divisible by 8):

- ``initial``: ``[B, c(16), H/2, W/2]`` (3x3 stride-2 conv concatenated with max pooling)
- ``stage1``: ``[B, c(64), H/4, W/4]`` (downsampling bottleneck + 4 regular)
- ``stage2``: ``[B, c(128), H/8, W/8]`` (downsampling + regular, dilated 2/4/8/16, asymmetric 5)
- ``stage3``: ``[B, c(128), H/8, W/8]`` (stage 2 without the downsampling)

The decoder mirrors the paper: two upsampling stages that max-unpool with the
encoder's pooling indices, then a transposed convolution to full resolution.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from lgad_studio.core.models.blocks import scaled_channels


def _bn_act(channels: int, relu: bool) -> list[nn.Module]:
    return [nn.BatchNorm2d(channels), nn.ReLU() if relu else nn.PReLU(channels)]


class InitialBlock(nn.Module):
    """3x3 stride-2 conv (``out - in`` channels) concatenated with 3x3 max pooling of the input."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.pool_branch = out_channels - in_channels >= 1
        conv_out = out_channels - in_channels if self.pool_branch else out_channels
        self.conv = nn.Conv2d(in_channels, conv_out, 3, stride=2, padding=1, bias=False)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.post = nn.Sequential(*_bn_act(out_channels, relu=False))

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv(x)
        if self.pool_branch:
            y = torch.cat([y, self.pool(x)], dim=1)
        return self.post(y)


class RegularBottleneck(nn.Module):
    """1x1 reduce, 3x3 (dilated) or 5x1+1x5 (asymmetric) conv, 1x1 expand; residual add."""

    def __init__(
        self, channels: int, *, dilation: int = 1, asymmetric: bool = False, dropout: float = 0.1
    ) -> None:
        super().__init__()
        inner = max(channels // 4, 2)
        if asymmetric:
            middle: list[nn.Module] = [
                nn.Conv2d(inner, inner, (5, 1), padding=(2, 0), bias=False),
                *_bn_act(inner, relu=False),
                nn.Conv2d(inner, inner, (1, 5), padding=(0, 2), bias=False),
            ]
        else:
            middle = [nn.Conv2d(inner, inner, 3, padding=dilation, dilation=dilation, bias=False)]
        self.branch = nn.Sequential(
            nn.Conv2d(channels, inner, 1, bias=False),
            *_bn_act(inner, relu=False),
            *middle,
            *_bn_act(inner, relu=False),
            nn.Conv2d(inner, channels, 1, bias=False),
            nn.BatchNorm2d(channels),
            nn.Dropout2d(dropout),
        )
        self.act = nn.PReLU(channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.act(x + self.branch(x))


class DownsamplingBottleneck(nn.Module):
    """Stride-2 bottleneck; the main branch max-pools (keeping indices) and zero-pads channels."""

    def __init__(self, in_channels: int, out_channels: int, *, dropout: float = 0.1) -> None:
        super().__init__()
        inner = max(in_channels // 4, 2)
        self.out_channels = out_channels
        self.pool = nn.MaxPool2d(2, stride=2, return_indices=True)
        self.branch = nn.Sequential(
            nn.Conv2d(in_channels, inner, 2, stride=2, bias=False),
            *_bn_act(inner, relu=False),
            nn.Conv2d(inner, inner, 3, padding=1, bias=False),
            *_bn_act(inner, relu=False),
            nn.Conv2d(inner, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.Dropout2d(dropout),
        )
        self.act = nn.PReLU(out_channels)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        main, indices = self.pool(x)
        main = F.pad(main, (0, 0, 0, 0, 0, self.out_channels - main.shape[1]))
        return self.act(main + self.branch(x)), indices


def max_unpool_2x(x: Tensor, indices: Tensor) -> Tensor:
    """``nn.MaxUnpool2d(2)`` as a scatter: ``[B, C, h, w]`` -> ``[B, C, 2h, 2w]``.

    ``indices`` are a 2x2 max pooling's flat per-plane positions. Written with
    ``scatter`` because ``max_unpool2d`` does not trace to ONNX in torch 2.13.
    """
    b, c, h, w = x.shape
    flat = torch.zeros(b, c, 4 * h * w, dtype=x.dtype, device=x.device)
    flat = flat.scatter(2, indices.flatten(2), x.flatten(2))
    return flat.view(b, c, 2 * h, 2 * w)


class UpsamplingBottleneck(nn.Module):
    """Decoder bottleneck: max-unpool the 1x1-projected input, add a transposed-conv branch."""

    def __init__(self, in_channels: int, out_channels: int, *, dropout: float = 0.1) -> None:
        super().__init__()
        inner = max(in_channels // 4, 2)
        self.project = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels)
        )
        self.branch = nn.Sequential(
            nn.Conv2d(in_channels, inner, 1, bias=False),
            *_bn_act(inner, relu=True),
            nn.ConvTranspose2d(inner, inner, 2, stride=2, bias=False),
            *_bn_act(inner, relu=True),
            nn.Conv2d(inner, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.Dropout2d(dropout),
        )
        self.act = nn.ReLU()

    def forward(self, x: Tensor, indices: Tensor) -> Tensor:
        main = max_unpool_2x(self.project(x), indices)
        return self.act(main + self.branch(x))


class DownStage(nn.Module):
    """A downsampling bottleneck followed by bottlenecks; returns the features and pool indices."""

    def __init__(self, down: DownsamplingBottleneck, blocks: list[nn.Module]) -> None:
        super().__init__()
        self.down = down
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        y, indices = self.down(x)
        return self.blocks(y), indices


def _stage2_blocks(ch: int, dropout: float) -> list[nn.Module]:
    return [
        RegularBottleneck(ch, dropout=dropout),
        RegularBottleneck(ch, dilation=2, dropout=dropout),
        RegularBottleneck(ch, asymmetric=True, dropout=dropout),
        RegularBottleneck(ch, dilation=4, dropout=dropout),
        RegularBottleneck(ch, dropout=dropout),
        RegularBottleneck(ch, dilation=8, dropout=dropout),
        RegularBottleneck(ch, asymmetric=True, dropout=dropout),
        RegularBottleneck(ch, dilation=16, dropout=dropout),
    ]


class ENetEncoder(nn.Module):
    """``initial`` -> ``stage1`` -> ``stage2`` -> ``stage3``; see the module docstring for shapes."""

    stage_names = ("initial", "stage1", "stage2", "stage3")

    def __init__(self, in_channels: int, width: float) -> None:
        super().__init__()
        c16, c64, c128 = (scaled_channels(n, width) for n in (16, 64, 128))
        self.channels = {"initial": c16, "stage1": c64, "stage2": c128, "stage3": c128}
        self.initial = InitialBlock(in_channels, c16)
        self.stage1 = DownStage(
            DownsamplingBottleneck(c16, c64, dropout=0.01),
            [RegularBottleneck(c64, dropout=0.01) for _ in range(4)],
        )
        self.stage2 = DownStage(DownsamplingBottleneck(c64, c128), _stage2_blocks(c128, 0.1))
        self.stage3 = nn.Sequential(*_stage2_blocks(c128, 0.1))

    def forward(self, x: Tensor) -> tuple[dict[str, Tensor], list[Tensor]]:
        """Stage features by name, and the pooling indices of ``stage1`` and ``stage2``."""
        f0 = self.initial(x)
        f1, idx1 = self.stage1(f0)
        f2, idx2 = self.stage2(f1)
        f3 = self.stage3(f2)
        return {"initial": f0, "stage1": f1, "stage2": f2, "stage3": f3}, [idx1, idx2]


class ENetDecoder(nn.Module):
    """``stage4`` (unpool to H/4), ``stage5`` (unpool to H/2), transposed conv to ``[B, K, H, W]``."""

    def __init__(self, encoder: ENetEncoder, num_classes: int) -> None:
        super().__init__()
        c16, c64, c128 = (
            encoder.channels["initial"],
            encoder.channels["stage1"],
            encoder.channels["stage3"],
        )
        self.up4 = UpsamplingBottleneck(c128, c64)
        self.stage4 = nn.Sequential(RegularBottleneck(c64), RegularBottleneck(c64))
        self.up5 = UpsamplingBottleneck(c64, c16)
        self.stage5 = RegularBottleneck(c16)
        self.full_conv = nn.ConvTranspose2d(
            c16, num_classes, 3, stride=2, padding=1, output_padding=1
        )

    def forward(self, features: dict[str, Tensor], indices: list[Tensor]) -> Tensor:
        x = self.stage4(self.up4(features["stage3"], indices[1]))
        x = self.stage5(self.up5(x, indices[0]))
        return self.full_conv(x)
