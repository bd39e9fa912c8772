"""An inline error line with a "Show traceback" button: job failures never die silently."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget


class ErrorBanner(QWidget):
    """Hidden until ``show_error(message, details)``; the traceback opens in a non-blocking box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setStyleSheet("color: #d93025;")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Show traceback")
        self.details_button.clicked.connect(self.show_details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        self.error: tuple[str, str] | None = None
        self.box: QMessageBox | None = None
        self.clear()

    def show_error(self, message: str, details: str = "") -> None:
        self.error = (message, details)
        self.label.setText(message)
        self.details_button.setVisible(bool(details))
        self.setVisible(True)

    def clear(self) -> None:
        self.error = None
        self.label.setText("")
        self.setVisible(False)

    def show_details(self) -> QMessageBox | None:
        if self.error is None:
            return None
        self.box = QMessageBox(QMessageBox.Icon.Critical, "Job failed", self.error[0], parent=self)
        self.box.setDetailedText(self.error[1])
        self.box.open()
        return self.box
