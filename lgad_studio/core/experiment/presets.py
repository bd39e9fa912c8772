"""The experiment presets: the settings every run of ``demo`` / ``experiment`` trains with.

``default`` is sized for one paired run (teacher + three students) in at most
15 minutes on 2 CPU cores; ``quick`` only checks the pipeline end to end (its
students stop before they learn to tell lane slots apart); ``gpu`` is the
paper's scale (ENet x1.0 at 800x288). Measurements behind the numbers are in
``docs/adr/distillation.md``.
"""

from __future__ import annotations

from lgad_studio.core.experiment.plan import ExperimentError, Preset

_SMALL = {"arch": "enet", "width": 0.5, "input_size": (200, 72), "val_limit": 100}
PRESETS = {
    "default": Preset(
        "default",
        teacher={**_SMALL, "epochs": 9},
        student={**_SMALL, "epochs": 18},
    ),
    "quick": Preset(
        "quick",
        teacher={**_SMALL, "width": 0.25, "epochs": 3, "train_limit": 200, "val_limit": 40},
        student={**_SMALL, "width": 0.25, "epochs": 5, "train_limit": 200, "val_limit": 40},
    ),
    "gpu": Preset(
        "gpu",
        teacher={
            "arch": "enet",
            "width": 1.0,
            "input_size": (800, 288),
            "epochs": 12,
            "val_limit": 1000,
        },
        student={
            "arch": "enet",
            "width": 1.0,
            "input_size": (800, 288),
            "epochs": 36,
            "val_limit": 1000,
        },
    ),  # fmt: skip
}


def get_preset(name: str, **overrides) -> Preset:
    """Preset ``name`` with ``overrides`` (``arch``, ``width``, ``input_size``, ``teacher_epochs``,
    ``student_epochs``) applied to both networks where they apply."""
    try:
        base = PRESETS[name]
    except KeyError:
        raise ExperimentError(
            f"preset {name!r} unknown, expected one of {sorted(PRESETS)}"
        ) from None
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
