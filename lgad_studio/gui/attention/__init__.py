"""Attention view: layer-wise attention maps of teacher and students, side by side."""

from __future__ import annotations

from lgad_studio.gui.attention.grid import AttentionGrid

__all__ = ["AttentionGrid"]
