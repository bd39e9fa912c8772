"""The lane network: an encoder, a segmentation decoder and a lane-existence head.

:class:`LaneNet` wraps an architecture's encoder and decoder. ``forward(x)``
with ``x: [B, C_in, H, W]`` returns a :class:`LaneOutput`:

- ``seg``: ``[B, K, H, W]`` logits (K = 5: background + lane slots 1-4)
- ``exist``: ``[B, 4]`` existence logits of the four slots
- ``features``: the encoder stage outputs by name (``initial``, ``stage1``, ...)
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn


class LaneOutput(NamedTuple):
    seg: Tensor
    exist: Tensor
    features: dict[str, Tensor]


class ExistenceHead(nn.Module):
    """Existence logits ``[B, 4]`` from the last encoder features ``[B, C, h, w]``.

    SCNN's head flattens a pooled per-class probability map into a fully connected
    layer, which ties the weights to one input size. Ours pools the per-class
    probabilities (mean and max over h x w) and the features (mean) instead, so a
    model trained at one size runs at any size and exports to ONNX without
    adaptive pooling. The per-slot probability mass is what existence depends on.
    """

    def __init__(self, channels: int, num_classes: int = 5, num_lanes: int = 4) -> None:
        super().__init__()
        self.classify = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=4, dilation=4, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.Dropout2d(0.1),
            nn.Conv2d(channels, num_classes, 1),
        )
        self.fc = nn.Sequential(
            nn.Linear(2 * num_classes + channels, 64), nn.ReLU(), nn.Linear(64, num_lanes)
        )

    def forward(self, features: Tensor) -> Tensor:
        prob = torch.softmax(self.classify(features), dim=1)
        pooled = torch.cat(
            [prob.mean(dim=(2, 3)), prob.amax(dim=(2, 3)), features.mean(dim=(2, 3))], dim=1
        )
        return self.fc(pooled)


class LaneNet(nn.Module):
    """Encoder (named, hookable stages) + decoder + existence head; see the module docstring."""

    def __init__(self, arch: str, encoder: nn.Module, decoder: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.arch = arch
        self.num_classes = num_classes
        self.encoder = encoder
        self.decoder = decoder
        self.exist_head = ExistenceHead(encoder.channels["stage3"], num_classes)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(self.encoder.stage_names)

    def encode(self, x: Tensor) -> dict[str, Tensor]:
        """The encoder stage features only: what a frozen teacher's attention needs."""
        return self.encoder(x)[0]

    def forward(self, x: Tensor) -> LaneOutput:
        features, indices = self.encoder(x)
        seg = self.decoder(features, indices)
        return LaneOutput(seg, self.exist_head(features["stage3"]), features)


class ExportWrapper(nn.Module):
    """``[B, C_in, H, W]`` -> (``prob [B, K, H, W]`` softmax, ``exist [B, 4]`` sigmoid) for ONNX."""

    def __init__(self, model: LaneNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        out = self.model(x)
        return torch.softmax(out.seg, dim=1), torch.sigmoid(out.exist)
