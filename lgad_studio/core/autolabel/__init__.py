"""Model-assisted labelling at dataset scale (issue 12), Qt-free.

- :mod:`.job`: the batch auto-label generator (scope, progress with ETA inputs,
  cancel, resume keyed by model fingerprint and settings);
- :mod:`.store`: the SQLite proposals sidecar beside the dataset;
- :mod:`.proposals`: proposals with scores, and the confidence filter;
- :mod:`.signals` and :mod:`.ranking`: uncertainty signals and the review queue;
- :mod:`.review`: accept one / all / replace-matching, pure ``LaneSet`` functions;
- :mod:`.propagation`: clip propagation between keyframes, optional model refinement;
- :mod:`.labels_digest`: the hash of the labels a run trained on.

Design and measurements: docs/adr/autolabel.md. The names below are loaded on first
use: the studio's window imports the review's pure parts (proposals, store, review,
ranking) without torch, which only the job, propagation and decoding need.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "AutolabelProgress": "job",
    "AutolabelSummary": "job",
    "autolabel": "job",
    "autolabel_run_key": "job",
    "unlabelled_entries": "job",
    "label_hash": "labels_digest",
    "propagate": "propagation",
    "propagate_clip": "propagation",
    "refine_lanes": "propagation",
    "ImageProposals": "proposals",
    "LaneProposal": "proposals",
    "clips": "ranking",
    "next_uncertain": "ranking",
    "review_queue": "ranking",
    "accept": "review",
    "accept_all": "review",
    "accept_one": "review",
    "matching_labels": "review",
    "DEFAULT_MIN_EXISTENCE": "settings",
    "AutolabelSettings": "settings",
    "ProposalStore": "store",
    "RunInfo": "store",
    "StoreError": "store",
    "default_store_path": "store",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
