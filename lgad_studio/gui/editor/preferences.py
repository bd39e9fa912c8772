"""Edit ▸ Preferences: the editor's settings that a user may want to change.

For now one: the tolerance within which a dense lane's spline may move when it is
simplified to control points for editing (default 1 image px).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QWidget,
)


class PreferencesDialog(QDialog):
    """A small form; :meth:`tolerance_px` is read after ``exec()`` returns Accepted."""

    def __init__(self, tolerance_px: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences — LGAD Studio")
        self.tolerance = QDoubleSpinBox(self)
        self.tolerance.setRange(0.1, 10.0)
        self.tolerance.setDecimals(2)
        self.tolerance.setSingleStep(0.25)
        self.tolerance.setSuffix(" px")
        self.tolerance.setValue(tolerance_px)
        note = QLabel(
            "A lane read from a label file (CULane: a vertex every 10 rows) is edited through "
            "the fewest of its vertices whose evaluator spline stays within this distance of "
            "the original. Lanes you do not edit are never changed.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Control-point tolerance", self.tolerance)
        form.addRow(note)
        form.addRow(buttons)
        self.resize(440, self.sizeHint().height())

    def tolerance_px(self) -> float:
        return float(self.tolerance.value())
