"""A message strip above the canvas: problems shown in the window, never in a blocking dialog.

An unreadable image, a malformed label file or a folder that refuses a save
must not stop the labelling session, so they appear here, stay until dismissed
or replaced, and keep the app responsive.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

_STYLES = {
    "error": "background:#5c1f1f; color:#ffe3e3; border:1px solid #a33;",
    "warning": "background:#5a4a14; color:#fff4d0; border:1px solid #a88a2a;",
    "info": "background:#1d3a5c; color:#e3f0ff; border:1px solid #3a6ea5;",
}


class MessageBar(QFrame):
    """Shows one message at a time; ``sticky`` messages survive moving to another image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.level = ""
        self.sticky = False
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_message(self, text: str, *, level: str = "error", sticky: bool = False) -> None:
        self._label.setText(text)
        self.setStyleSheet(f"MessageBar {{{_STYLES[level]}}} QLabel {{border:none;}}")
        self.level, self.sticky = level, sticky
        self.show()

    def clear(self) -> None:
        self._label.clear()
        self.level, self.sticky = "", False
        self.hide()

    def clear_transient(self) -> None:
        """Clear the message unless it is sticky (a save that failed stays visible)."""
        if not self.sticky:
            self.clear()
