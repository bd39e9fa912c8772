"""An inline error (or warning) line with a "Show traceback" button: job failures never die
silently, and a run that learned nothing says so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from lgad_studio.gui.palette import OKABE_ITO

ERROR_COLOUR = OKABE_ITO["vermillion"]
WARNING_COLOUR = "#B07800"  # Okabe-Ito orange, darkened to read on a light window


class ErrorBanner(QWidget):
    """Hidden until ``show_error(message, details)``; the traceback opens in a non-blocking box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Show traceback")
        self.details_button.clicked.connect(self.show_details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        self.error: tuple[str, str] | None = None
        self.level = ""
        self.box: QMessageBox | None = None
        self.clear()

    def show_error(self, message: str, details: str = "") -> None:
        self.error = (message, details)
        self.level = "error"
        self.label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.label.setText(message)
        self.details_button.setVisible(bool(details))
        self.setVisible(True)

    def show_warning(self, message: str) -> None:
        """Something the user should know that is not a failure (e.g. a run that found no lanes)."""
        self.error = None
        self.level = "warning"
        self.label.setStyleSheet(f"color: {WARNING_COLOUR}; font-weight: bold;")
        self.label.setText(message)
        self.details_button.setVisible(False)
        self.setVisible(True)

    def clear(self) -> None:
        self.error = None
        self.level = ""
        self.label.setText("")
        self.setVisible(False)

    def show_details(self) -> QMessageBox | None:
        if self.error is None:
            return None
        self.box = QMessageBox(QMessageBox.Icon.Critical, "Job failed", self.error[0], parent=self)
        self.box.setDetailedText(self.error[1])
        self.box.open()
        return self.box
