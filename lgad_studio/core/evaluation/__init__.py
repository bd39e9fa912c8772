"""One evaluation path for every entry point: predict, match with the ground truth, count.

- :func:`score_entries` (:mod:`.scoring`): the generator -- predictors over dataset
  entries, one :class:`ScoredImage` (predictions, official matches) at a time;
- :func:`ground_truth` (:mod:`.truth`): the one ground-truth rule (the official one);
- :func:`evaluate_checkpoints` (:mod:`.job`) and :class:`EvaluationResult`
  (:mod:`.result`): the Evaluate tab's job and its bounded-memory result;
- :func:`predict_dataset` (:mod:`.predict`): CULane ``.lines.txt`` or TuSimple JSON.

Validation during training (:func:`lgad_studio.core.training.validate.validate`)
and the experiment table (:func:`lgad_studio.core.training.comparison.score_splits`)
consume :func:`score_entries` as well; precision, recall and F1 of pooled counts
come from :func:`lgad_studio.core.metrics.scores.precision_recall_f1` everywhere.
"""

from __future__ import annotations

from lgad_studio.core.evaluation.scoring import ScoredImage, score_entries
from lgad_studio.core.evaluation.truth import ground_truth, sample_rows

__all__ = ["ScoredImage", "ground_truth", "sample_rows", "score_entries"]
