"""Model-assisted labelling at dataset scale (issue 12), Qt-free.

- :mod:`.job`: the batch auto-label generator (scope, progress with ETA inputs,
  cancel, resume keyed by model fingerprint and settings);
- :mod:`.store`: the SQLite proposals sidecar beside the dataset;
- :mod:`.proposals`: proposals with scores, and the confidence filter;
- :mod:`.signals` and :mod:`.ranking`: uncertainty signals and the review queue;
- :mod:`.review`: accept one / all / replace-matching, pure ``LaneSet`` functions;
- :mod:`.propagate`: clip propagation between keyframes, optional model refinement;
- :mod:`.label_hash`: the hash of the labels a run trained on.

Design and measurements: docs/adr/autolabel.md.
"""

from __future__ import annotations

from lgad_studio.core.autolabel.job import (
    AutolabelProgress,
    AutolabelSummary,
    autolabel,
    autolabel_run_key,
    unlabelled_entries,
)
from lgad_studio.core.autolabel.label_hash import label_hash
from lgad_studio.core.autolabel.propagate import propagate, propagate_clip, refine_lanes
from lgad_studio.core.autolabel.proposals import ImageProposals, LaneProposal
from lgad_studio.core.autolabel.ranking import clips, next_uncertain, review_queue
from lgad_studio.core.autolabel.review import accept, accept_all, accept_one, matching_labels
from lgad_studio.core.autolabel.settings import DEFAULT_MIN_EXISTENCE, AutolabelSettings
from lgad_studio.core.autolabel.store import ProposalStore, RunInfo, StoreError, default_store_path

__all__ = [
    "DEFAULT_MIN_EXISTENCE",
    "AutolabelProgress",
    "AutolabelSettings",
    "AutolabelSummary",
    "ImageProposals",
    "LaneProposal",
    "ProposalStore",
    "RunInfo",
    "StoreError",
    "accept",
    "accept_all",
    "accept_one",
    "autolabel",
    "autolabel_run_key",
    "clips",
    "default_store_path",
    "label_hash",
    "matching_labels",
    "next_uncertain",
    "propagate",
    "propagate_clip",
    "refine_lanes",
    "review_queue",
    "unlabelled_entries",
]
