"""The Train tab: teacher and student runs as background jobs, live curves, history."""

from __future__ import annotations

from lgad_studio.gui.train.runs import default_runs_root
from lgad_studio.gui.train.tab import TrainTab

__all__ = ["TrainTab", "default_runs_root"]
