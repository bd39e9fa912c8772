"""The experiment presets: ``resources/presets/<name>.json``, as the Train tab reads them.

``default`` is sized for one paired run (teacher + three students) in at most
15 minutes on 2 CPU cores; ``quick`` only checks the pipeline end to end (its
students stop before they learn to tell lane slots apart); ``gpu`` is the
paper's scale (ENet x1.0 at 800x288). The measurements behind the numbers are
in ``docs/adr/distillation.md``.
"""

from __future__ import annotations

from lgad_studio.core.experiment.plan import ExperimentError, Preset
from lgad_studio.core.presets import PresetError, load_preset, preset_names


def preset(name: str) -> Preset:
    """The shipped preset ``name`` (see :func:`lgad_studio.core.presets.load_preset`)."""
    try:
        data = load_preset(name)
    except PresetError as exc:
        raise ExperimentError(str(exc)) from None
    return Preset(name, teacher=data["teacher"], student=data["student"])


def presets() -> dict[str, Preset]:
    return {name: preset(name) for name in preset_names()}


def get_preset(name: str, **overrides) -> Preset:
    """Preset ``name`` with ``overrides`` (``arch``, ``width``, ``input_size``, ``teacher_epochs``,
    ``student_epochs``) applied to both networks where they apply."""
    base = preset(name)
    teacher, student = dict(base.teacher), dict(base.student)
    for key in ("arch", "width", "input_size"):
        if overrides.get(key) is not None:
            teacher[key] = student[key] = overrides[key]
    if overrides.get("teacher_epochs"):
        teacher["epochs"] = overrides["teacher_epochs"]
    if overrides.get("student_epochs"):
        student["epochs"] = overrides["student_epochs"]
    changed = any(overrides.get(k) for k in overrides)
    return Preset(base.name + ("+custom" if changed else ""), teacher, student)
