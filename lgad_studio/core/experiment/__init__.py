"""Paired experiments: datasets x seeds x modes, resumable, combinable, with confidence intervals."""

from __future__ import annotations

from lgad_studio.core.experiment.plan import (
    MODE_NAMES,
    DatasetSpec,
    ExperimentError,
    ExperimentPlan,
    Preset,
    RunKey,
    parse_dataset,
)
from lgad_studio.core.experiment.report import combine, load_results, summarize, write_report
from lgad_studio.core.experiment.runner import (
    ExperimentProgress,
    RunBusy,
    RunDone,
    run_experiment,
)

__all__ = [
    "MODE_NAMES",
    "DatasetSpec",
    "ExperimentError",
    "ExperimentPlan",
    "ExperimentProgress",
    "Preset",
    "RunBusy",
    "RunDone",
    "RunKey",
    "combine",
    "load_results",
    "parse_dataset",
    "run_experiment",
    "summarize",
    "write_report",
]
