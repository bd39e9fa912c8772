"""The Evaluate tab: checkpoints side by side per category, image-by-image review."""

from __future__ import annotations

from lgad_studio.gui.evaluate.tab import EvaluateTab

__all__ = ["EvaluateTab"]
