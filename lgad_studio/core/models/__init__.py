"""Lane segmentation networks (ENet, ERFNet) and the factory that builds them by name."""

from __future__ import annotations

from lgad_studio.core.models.enet import ENetDecoder, ENetEncoder
from lgad_studio.core.models.erfnet import ERFNetDecoder, ERFNetEncoder
from lgad_studio.core.models.heads import ExportWrapper, LaneNet, LaneOutput

ARCHITECTURES = {"enet": (ENetEncoder, ENetDecoder), "erfnet": (ERFNetEncoder, ERFNetDecoder)}
STAGE_NAMES = ("initial", "stage1", "stage2", "stage3")

__all__ = ["ARCHITECTURES", "STAGE_NAMES", "ExportWrapper", "LaneNet", "LaneOutput", "build_model"]


def build_model(
    arch: str, *, in_channels: int = 3, width: float = 1.0, num_classes: int = 5
) -> LaneNet:
    """A :class:`LaneNet` of ``arch`` (``enet`` | ``erfnet``) taking ``[B, in_channels, H, W]``."""
    try:
        encoder_cls, decoder_cls = ARCHITECTURES[arch]
    except KeyError:
        raise ValueError(
            f"architecture {arch!r} unknown, expected one of {sorted(ARCHITECTURES)}"
        ) from None
    encoder = encoder_cls(in_channels, width)
    return LaneNet(arch, encoder, decoder_cls(encoder, num_classes), num_classes)
