"""ERFNet (Romera et al., 2017): factorised residual blocks, with a width multiplier.

Encoder stages (named modules; input ``[B, C_in, H, W]``, H and W divisible by 8):

- ``initial``: ``[B, c(16), H/2, W/2]`` (downsampler: 3x3 stride-2 conv + max pooling)
- ``stage1``: ``[B, c(64), H/4, W/4]`` (downsampler + 5 non-bottleneck-1D blocks)
- ``stage2``: ``[B, c(128), H/8, W/8]`` (downsampler + blocks dilated 2, 4, 8, 16)
- ``stage3``: ``[B, c(128), H/8, W/8]`` (blocks dilated 2, 4, 8, 16)

The paper's encoder runs the dilated 2/4/8/16 group twice after its last
downsampler; we split the two groups into ``stage2`` and ``stage3`` so that both
architectures expose the same four stage names. The decoder is the paper's:
transposed-conv upsamplers with two non-bottleneck blocks each, then a
transposed conv to full resolution.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from lgad_studio.core.models.blocks import scaled_channels


class Downsampler(nn.Module):
    """3x3 stride-2 conv (``out - in`` channels) concatenated with 2x2 max pooling."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.pool_branch = out_channels - in_channels >= 1
        conv_out = out_channels - in_channels if self.pool_branch else out_channels
        self.conv = nn.Conv2d(in_channels, conv_out, 3, stride=2, padding=1, bias=True)
        self.pool = nn.MaxPool2d(2, stride=2)
        self.bn = nn.BatchNorm2d(out_channels, eps=1e-3)

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv(x)
        if self.pool_branch:
            y = torch.cat([y, self.pool(x)], dim=1)
        return F.relu(self.bn(y))


class NonBottleneck1D(nn.Module):
    """3x1, 1x3, then dilated 3x1, 1x3 convolutions with a residual connection."""

    def __init__(self, channels: int, *, dilation: int = 1, dropout: float = 0.0) -> None:
        super().__init__()
        d = dilation
        self.conv1 = nn.Conv2d(channels, channels, (3, 1), padding=(1, 0))
        self.conv2 = nn.Conv2d(channels, channels, (1, 3), padding=(0, 1))
        self.bn1 = nn.BatchNorm2d(channels, eps=1e-3)
        self.conv3 = nn.Conv2d(channels, channels, (3, 1), padding=(d, 0), dilation=(d, 1))
        self.conv4 = nn.Conv2d(channels, channels, (1, 3), padding=(0, d), dilation=(1, d))
        self.bn2 = nn.BatchNorm2d(channels, eps=1e-3)
        self.dropout = nn.Dropout2d(dropout)

    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.conv1(x))
        y = F.relu(self.bn1(self.conv2(y)))
        y = F.relu(self.conv3(y))
        y = self.dropout(self.bn2(self.conv4(y)))
        return F.relu(x + y)


class Upsampler(nn.Module):
    """3x3 stride-2 transposed conv + batch norm + ReLU (doubles H and W)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.ConvTranspose2d(
            in_channels, out_channels, 3, stride=2, padding=1, output_padding=1
        )
        self.bn = nn.BatchNorm2d(out_channels, eps=1e-3)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.bn(self.conv(x)))


def _dilated_group(channels: int, dropout: float) -> list[nn.Module]:
    return [NonBottleneck1D(channels, dilation=d, dropout=dropout) for d in (2, 4, 8, 16)]


class ERFNetEncoder(nn.Module):
    """``initial`` -> ``stage1`` -> ``stage2`` -> ``stage3``; see the module docstring for shapes."""

    stage_names = ("initial", "stage1", "stage2", "stage3")

    def __init__(self, in_channels: int, width: float) -> None:
        super().__init__()
        c16, c64, c128 = (scaled_channels(n, width) for n in (16, 64, 128))
        self.channels = {"initial": c16, "stage1": c64, "stage2": c128, "stage3": c128}
        self.initial = Downsampler(in_channels, c16)
        self.stage1 = nn.Sequential(
            Downsampler(c16, c64), *[NonBottleneck1D(c64, dropout=0.03) for _ in range(5)]
        )
        self.stage2 = nn.Sequential(Downsampler(c64, c128), *_dilated_group(c128, 0.3))
        self.stage3 = nn.Sequential(*_dilated_group(c128, 0.3))

    def forward(self, x: Tensor) -> tuple[dict[str, Tensor], list[Tensor]]:
        """Stage features by name (and no pooling indices: the decoder does not unpool)."""
        f0 = self.initial(x)
        f1 = self.stage1(f0)
        f2 = self.stage2(f1)
        f3 = self.stage3(f2)
        return {"initial": f0, "stage1": f1, "stage2": f2, "stage3": f3}, []


class ERFNetDecoder(nn.Module):
    """``stage4`` (to H/4), ``stage5`` (to H/2), transposed conv to ``[B, K, H, W]``."""

    def __init__(self, encoder: ERFNetEncoder, num_classes: int) -> None:
        super().__init__()
        c16, c64, c128 = (
            encoder.channels["initial"],
            encoder.channels["stage1"],
            encoder.channels["stage3"],
        )
        self.stage4 = nn.Sequential(
            Upsampler(c128, c64), NonBottleneck1D(c64), NonBottleneck1D(c64)
        )
        self.stage5 = nn.Sequential(Upsampler(c64, c16), NonBottleneck1D(c16), NonBottleneck1D(c16))
        self.full_conv = nn.ConvTranspose2d(c16, num_classes, 2, stride=2)

    def forward(self, features: dict[str, Tensor], indices: list[Tensor]) -> Tensor:
        return self.full_conv(self.stage5(self.stage4(features["stage3"])))
