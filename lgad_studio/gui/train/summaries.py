"""What the Train tab says when a run ends: what a cancel kept, and a run that learned nothing.

Plain functions of a :class:`~lgad_studio.gui.train.runs.RunRecord` (no Qt), so the
sentences are tested directly.
"""

from __future__ import annotations

from lgad_studio.core.events import Finished
from lgad_studio.gui.train.runs import RunRecord


def cancel_summary(record: RunRecord) -> str:
    """``"… cancelled at step 120 of 800. Kept last.pt … in <folder>"`` or that nothing was kept."""
    done, total = record.step
    where = f" at step {done} of {total}" if total else " before its first step"
    head = f"{record.label} {record.name}: cancelled{where}."
    finished = record.finished
    if not isinstance(finished, Finished) or finished.last_checkpoint is None:
        return f"{head} Nothing was written."
    kept = f"{finished.last_checkpoint.name} (the weights at that step)"
    best = finished.best_checkpoint
    if best is not None and best != finished.last_checkpoint:
        score = f", validation F1 {record.best_f1:.3f}" if record.best_f1 is not None else ""
        kept += f" and {best.name} (its best epoch{score})"
    return f"{head} Kept {kept} in {finished.run_dir}: evaluate, export or use it like any run."


def zero_f1_warning(record: RunRecord) -> str | None:
    """A warning for a run that finished validated with F1 0 (it found no lanes), else ``None``."""
    if record.state != "finished" or not record.validated or (record.best_f1 or 0.0) > 0.0:
        return None
    epochs = record.config.get("epochs")
    budget = f" of {epochs} epoch{'s' if epochs != 1 else ''}" if epochs else ""
    if record.is_teacher:
        return (
            f"The teacher {record.name} finished with validation F1 0: it never reproduced "
            f"the lanes, so its budget{budget} was too small. Distilling from this teacher is "
            "pointless: train it longer first (more epochs, or the 'default' preset)."
        )
    return (
        f"The {record.label} {record.name} finished with validation F1 0: it found no lanes, "
        f"so its budget{budget} was too small. Train it longer (more epochs, or the "
        "'default' preset) before comparing it."
    )


def weak_teacher_warning(record: RunRecord) -> str | None:
    """Said when a teacher whose best validation F1 is 0 is chosen for distillation."""
    if not record.is_teacher or record.best_f1 is None or record.best_f1 > 0.0:
        return None
    return (
        f"The teacher {record.name} has validation F1 0 (it found no lanes): a student "
        "distilled from it learns nothing from it. Train the teacher longer first."
    )
