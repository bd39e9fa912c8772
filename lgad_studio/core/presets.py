"""The default training presets: JSON data files that the Train tab and the CLI both read.

Each ``resources/presets/<name>.json`` holds a ``description`` and the fields of a
``teacher`` (:class:`TeacherConfig`) and a ``student`` (:class:`StudentConfig`) run;
fields a preset leaves out keep the config's defaults. Files are read through
``importlib.resources`` from the installed package ``lgad_studio.resources``, so an
editable checkout and a ``pip install`` find the same data.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING

from lgad_studio.core.errors import StudioError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PRESET_ORDER = ("default", "quick", "gpu")  # how menus list them; others follow by name
SECTIONS = ("teacher", "student")


class PresetError(StudioError, ValueError):
    """A preset that does not exist or whose file is not what the loader expects."""


def resource_root() -> Traversable:
    """The installed ``resources`` folder (``lgad_studio.resources``)."""
    return resources.files("lgad_studio.resources")


def _folder() -> Traversable:
    return resource_root() / "presets"


def preset_names() -> list[str]:
    """Names of the presets shipped with the studio, ``default`` first."""
    names = sorted(p.name[: -len(".json")] for p in _folder().iterdir() if p.name.endswith(".json"))
    known = [n for n in PRESET_ORDER if n in names]
    return known + [n for n in names if n not in known]


def load_preset(name: str) -> dict:
    """``{"description": str, "teacher": {field: value}, "student": {field: value}}``.

    ``input_size`` comes back as a ``(width, height)`` tuple. Raises :class:`PresetError`
    naming the file and the field for an unknown preset, a file that is not JSON, or a
    field the configs do not have.
    """
    from lgad_studio.core.training.config import StudentConfig, TeacherConfig

    path = _folder() / f"{name}.json"
    if not path.is_file():
        raise PresetError(f"no preset {name!r}, expected one of {preset_names()}")
    where = f"presets/{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PresetError(f"{where}:{exc.lineno}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(s), dict) for s in SECTIONS):
        raise PresetError(f"{where}: expected an object with 'teacher' and 'student' objects")
    out = {"description": str(data.get("description", "")), "name": name}
    for section, config in zip(SECTIONS, (TeacherConfig, StudentConfig), strict=True):
        known = set(config.__dataclass_fields__)
        values = dict(data[section])
        unknown = sorted(set(values) - known)
        if unknown:
            raise PresetError(f"{where}: field(s) {unknown} of {section!r} are not config fields")
        if "input_size" in values:
            values["input_size"] = tuple(values["input_size"])
        out[section] = values
    return out


def preset_configs(name: str, **common) -> tuple:
    """``(TeacherConfig, StudentConfig)`` of preset ``name``; ``common`` fields (``data``,
    ``out``, ``device`` ...) go into both. The student's ``mode`` defaults to ``lgad``."""
    from lgad_studio.core.training.config import StudentConfig, TeacherConfig

    preset = load_preset(name)
    teacher = TeacherConfig(**{**preset["teacher"], **common})
    student = StudentConfig(**{"teacher": None, **preset["student"], **common})
    return teacher, student
