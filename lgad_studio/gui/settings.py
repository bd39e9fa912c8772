"""What the studio remembers between runs: recent datasets, window geometry, preferences.

A thin typed wrapper over ``QSettings`` (INI format, user scope). Tests point
``QSettings.setPath`` at a temporary folder so that they never touch the user's
settings (``tests/gui/conftest.py``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "LGAD Studio"
APPLICATION = "lgad-studio"
MAX_RECENT = 10


class StudioSettings:
    """Typed access to the persisted settings; every getter has a safe default."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._qs = qsettings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    @property
    def file_name(self) -> str:
        return self._qs.fileName()

    def sync(self) -> None:
        self._qs.sync()

    # -- recent datasets ----------------------------------------------------------------------
    def recent_datasets(self) -> list[str]:
        value = self._qs.value("recent/datasets", [])
        if isinstance(value, str):  # QSettings returns a bare string for a one-item list
            value = [value]
        return [str(v) for v in value or []]

    def add_recent_dataset(self, path: str | Path) -> None:
        text = str(Path(path).expanduser().resolve())
        recent = [text] + [p for p in self.recent_datasets() if p != text]
        self._qs.setValue("recent/datasets", recent[:MAX_RECENT])

    def remove_recent_dataset(self, path: str | Path) -> None:
        text = str(path)
        self._qs.setValue("recent/datasets", [p for p in self.recent_datasets() if p != text])

    # -- where the user was -------------------------------------------------------------------
    def last_entry(self, dataset_root: str | Path) -> tuple[str, str] | None:
        """``(split, entry)`` shown last in this dataset, or ``None``."""
        value = self._qs.value(f"last_entry/{_key(dataset_root)}")
        if isinstance(value, list) and len(value) == 2:
            return str(value[0]), str(value[1])
        return None

    def set_last_entry(self, dataset_root: str | Path, split: str, entry: str) -> None:
        self._qs.setValue(f"last_entry/{_key(dataset_root)}", [split, entry])

    # -- window -------------------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        return _bytes(self._qs.value("window/geometry"))

    def window_state(self) -> QByteArray | None:
        return _bytes(self._qs.value("window/state"))

    def splitter_state(self) -> QByteArray | None:
        return _bytes(self._qs.value("window/splitter"))

    def save_window(
        self, *, geometry: QByteArray, state: QByteArray, splitter: QByteArray | None = None
    ) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)
        if splitter is not None:
            self._qs.setValue("window/splitter", splitter)

    # -- preferences --------------------------------------------------------------------------
    def show_label_map(self) -> bool:
        return _bool(self._qs.value("prefs/show_label_map", False))

    def set_show_label_map(self, value: bool) -> None:
        self._qs.setValue("prefs/show_label_map", bool(value))

    def runs_root(self) -> Path | None:
        """The Train tab's runs folder, when the user chose one."""
        value = self._qs.value("prefs/runs_root")
        return Path(str(value)) if value else None

    def set_runs_root(self, path: str | Path) -> None:
        self._qs.setValue("prefs/runs_root", str(path))

    def simplify_tolerance_px(self) -> float:
        """How far (image px) a lane's evaluator spline may move when it is simplified to
        control points for editing (default 1 px)."""
        try:
            value = float(self._qs.value("prefs/simplify_tolerance_px", 1.0))
        except (TypeError, ValueError):
            return 1.0
        return value if 0.05 <= value <= 20.0 else 1.0

    def set_simplify_tolerance_px(self, value: float) -> None:
        self._qs.setValue("prefs/simplify_tolerance_px", float(value))

    def last_checkpoint(self) -> str | None:
        value = self._qs.value("prefs/last_checkpoint")
        return str(value) if value else None

    def set_last_checkpoint(self, path: str | Path) -> None:
        self._qs.setValue("prefs/last_checkpoint", str(path))


def _key(path: str | Path) -> str:
    # QSettings treats "/" and "\" as group separators: keep the key a single level.
    return str(Path(path).expanduser().resolve()).replace("/", "|").replace("\\", "|")


def _bytes(value: object) -> QByteArray | None:
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def _bool(value: object) -> bool:
    if isinstance(value, str):  # the INI backend reads booleans back as "true"/"false"
        return value.lower() in ("true", "1", "yes")
    return bool(value)
