"""The "Auto-label images…" dialog: which model, which images, only the unlabelled ones."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lgad_studio.gui.review.batch import BatchRequest

MODEL_FILTER = "Models (*.pt *.pth *.onnx);;Checkpoints (*.pt *.pth);;ONNX (*.onnx);;All files (*)"


def choose_model_file(parent: QWidget | None, start: str) -> str:
    """A student checkpoint or ONNX export chosen by the user ("" when cancelled)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Choose a model: student checkpoint or ONNX export", start, MODEL_FILTER
    )
    return path


class BatchDialog(QDialog):
    """Fills a :class:`BatchRequest`; the split and selection come from the browser."""

    def __init__(
        self,
        *,
        model: Path | None,
        current: str | None,
        selection: list[str],
        splits: list[str],
        split: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Auto-label images — LGAD Studio")
        self._current, self._selection = current, list(selection)
        self.model = QLineEdit(str(model) if model else "")
        self.model.setPlaceholderText("student checkpoint (.pt) or ONNX export (.onnx)")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(browse)
        self.scope_buttons = {
            "image": QRadioButton(f"This image ({current})" if current else "This image"),
            "selection": QRadioButton(f"The images selected in the list ({len(selection):,})"),
            "split": QRadioButton("Every image of split"),
            "all": QRadioButton("Every image of the dataset"),
        }
        self._group = QButtonGroup(self)
        for button in self.scope_buttons.values():
            self._group.addButton(button)
        self.scope_buttons["image"].setEnabled(current is not None)
        self.scope_buttons["selection"].setEnabled(len(selection) > 1)
        self.split_box = QComboBox()
        self.split_box.addItems(splits)
        self.split_box.setCurrentText(split)
        split_row = QHBoxLayout()
        split_row.addWidget(self.scope_buttons["split"])
        split_row.addWidget(self.split_box, 1)
        self.only_unlabelled = QCheckBox("Only images without labels")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 256)
        self.batch_size.setValue(8)
        scope = QVBoxLayout()
        for name in ("image", "selection"):
            scope.addWidget(self.scope_buttons[name])
        scope.addLayout(split_row)
        scope.addWidget(self.scope_buttons["all"])
        scope.addWidget(self.only_unlabelled)
        default = "selection" if len(selection) > 1 else "split"
        self.scope_buttons[default].setChecked(True)
        note = QLabel(
            "Proposals go to the dataset's sidecar (.lgad/proposals.sqlite), never into a "
            "label file. The same model and images again resume where a run stopped."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Model", model_row)
        form.addRow("Images", scope)
        form.addRow("Batch size", self.batch_size)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        self.error = QLabel()
        self.error.setStyleSheet("color: #D55E00")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def scope(self) -> str:
        return next(name for name, b in self.scope_buttons.items() if b.isChecked())

    def request(self) -> BatchRequest:
        """The request the dialog shows (the model path as typed)."""
        scope = self.scope()
        entries = {"image": [self._current] if self._current else [], "selection": self._selection}
        return BatchRequest(
            Path(self.model.text().strip()),
            scope,
            entries=tuple(entries.get(scope, [])),
            split=self.split_box.currentText(),
            only_unlabelled=self.only_unlabelled.isChecked(),
            batch_size=self.batch_size.value(),
        )

    def _on_browse_clicked(self) -> None:
        path = choose_model_file(self, self.model.text() or str(Path.home()))
        if path:
            self.model.setText(path)

    def _on_accepted(self) -> None:
        path = Path(self.model.text().strip())
        if not self.model.text().strip() or not path.is_file():
            self.error.setText(f"{path}: no such model file; choose a .pt checkpoint or .onnx file")
            return
        self.accept()
