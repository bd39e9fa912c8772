"""The studio window: composition only — tabs, menus, status bar, opening datasets, closing.

Tabs are added in :meth:`MainWindow._add_tabs` (Label now; Train and Evaluate
slot in there). The window owns the :class:`~lgad_studio.gui.jobs.JobRunner`
shared by every tab and shuts it down on close, after unsaved labels have been
saved, discarded or the close cancelled.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from lgad_studio.core.errors import StudioError
from lgad_studio.core.events import Progress
from lgad_studio.core.formats.dataset import open_dataset
from lgad_studio.gui.editor.panel import LabelPanel
from lgad_studio.gui.editor.shortcuts import COMMANDS
from lgad_studio.gui.jobs import Job, JobRunner, report
from lgad_studio.gui.settings import StudioSettings

APP_TITLE = "LGAD Studio"
MENU_OF_GROUP = {"Images": "&Image", "Lanes": "&Lanes", "Slots": "&Lanes", "View": "&View"}


def ask_unsaved(parent: QWidget, count: int) -> str:
    """Ask what to do with ``count`` images of unsaved labels: "save", "discard" or "cancel"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_TITLE)
    box.setText(f"{count} image{'s have' if count != 1 else ' has'} unsaved lane labels.")
    box.setInformativeText(
        "Save writes them to the label files; Discard leaves the files as they are; "
        "Cancel goes back to editing."
    )
    Button = QMessageBox.StandardButton
    box.setStandardButtons(Button.Save | Button.Discard | Button.Cancel)
    box.setDefaultButton(Button.Save)
    answer = box.exec()
    return {Button.Save: "save", Button.Discard: "discard"}.get(Button(answer), "cancel")


class MainWindow(QMainWindow):
    """Label | Train | Evaluate tabs over one dataset and one job queue."""

    dataset_opened = Signal(object)  # the LaneDataset

    def __init__(self, settings: StudioSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.jobs = JobRunner(self)
        self.dataset = None
        self.demo_job: Job | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.label_panel = LabelPanel(settings, self.jobs, self)
        self._add_tabs()
        self._build_menus()
        self._build_status_bar()
        self.label_panel.entry_opened.connect(self._update_title)
        self.label_panel.dirty_count_changed.connect(self._update_title)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.resize(self._default_size())
        if settings.window_geometry() is not None:
            self.restoreGeometry(settings.window_geometry())
        if settings.splitter_state() is not None:
            self.label_panel.splitter.restoreState(settings.splitter_state())
        self._update_title()

    def _default_size(self) -> QSize:
        """1400×820, or less on a smaller screen (a 1366×768 laptop gets all of its desktop)."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is None or screen.isEmpty():
            return QSize(1400, 820)
        frame = 40  # the window manager's title bar and borders
        return QSize(min(1400, screen.width()), min(820, screen.height() - frame))

    def _add_tabs(self) -> None:
        """The one place tabs are composed: Label | Train | Evaluate, and their links."""
        from lgad_studio.gui.evaluate import EvaluateTab
        from lgad_studio.gui.train import TrainTab, default_runs_root

        self.tabs.addTab(self.label_panel, "Label")
        runs_root = self.settings.runs_root() or default_runs_root()
        self.train_tab = TrainTab(self.jobs, runs_root=runs_root, parent=self)
        self.evaluate_tab = EvaluateTab(self.jobs, parent=self)
        self.tabs.addTab(self.train_tab, "Train")
        self.tabs.addTab(self.evaluate_tab, "Evaluate")
        self.dataset_opened.connect(self.train_tab.set_dataset)
        self.dataset_opened.connect(self.evaluate_tab.set_dataset)
        self.train_tab.about_to_submit.connect(self._save_labels_for_training)
        self.train_tab.run_ended.connect(self.evaluate_tab.add_run)
        self.train_tab.evaluate_requested.connect(self._evaluate_from_history)
        self.train_tab.runs_root_changed.connect(self.settings.set_runs_root)
        self.evaluate_tab.fix_labels_requested.connect(self.fix_labels)
        self.label_panel.review.retrain_requested.connect(self.retrain)

    def _evaluate_from_history(self, paths) -> None:
        """The run history's Evaluate: show the Evaluate tab and start evaluating ``paths``."""
        self.tabs.setCurrentWidget(self.evaluate_tab)
        self.evaluate_tab.evaluate_now(paths)

    def _save_labels_for_training(self) -> None:
        """A run trains on the labels on disk: write the open image's edits first."""
        if self.label_panel.document is not None:
            self.label_panel.autosave(self.label_panel.document)

    def retrain(self, kind: str):
        """Review ▸ Train a teacher / student on the corrected labels: every unsaved image is
        saved by the autosave rule (never over a file that had problems), then the Train tab
        starts the run with its forms' settings."""
        panel = self.label_panel
        panel.commit_draft()
        for document in panel.dirty_documents():
            panel.autosave(document)
        self.tabs.setCurrentWidget(self.train_tab)
        return self.train_tab.retrain(kind)

    def fix_labels(self, entry: str) -> None:
        """Open ``entry`` in the editor (the Evaluate tab's "Fix labels")."""
        self.tabs.setCurrentWidget(self.label_panel)
        self.label_panel.open_entry(entry)
        self.label_panel.canvas.setFocus()

    # -- menus and status bar -------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._add_action(file_menu, "Open dataset folder…", self.choose_dataset_folder, "Ctrl+O")
        self._add_action(file_menu, "Open TuSimple JSON…", self.choose_dataset_file)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._add_action(file_menu, "Open the demo dataset", self.open_default_demo)
        file_menu.addSeparator()
        file_menu.addAction(self.label_panel.actions["save"])
        file_menu.addSeparator()
        quit_action = self._add_action(file_menu, "&Quit", self.close)
        # Ctrl+Q everywhere: some platforms' standard Quit key is none at all.
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        quit_action.setShortcuts(keys + [k for k in [QKeySequence("Ctrl+Q")] if k not in keys])
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.label_panel.undo_action, self.label_panel.redo_action])
        menus = {"&Edit": edit_menu}
        for command in COMMANDS:
            if command.name in ("save",):
                continue
            title = MENU_OF_GROUP.get(command.group, f"&{command.group}")
            if title not in menus:
                menus[title] = bar.addMenu(title)
            menus[title].addAction(self.label_panel.actions[command.name])
        self._add_action(menus["&Help"], "About LGAD Studio", self._show_about)

    def _add_action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.dataset_label = QLabel(self)
        status.addWidget(self.dataset_label, 1)
        self._editor_readouts = (
            self.label_panel.hint_label,
            self.label_panel.lane_label,
            self.label_panel.position_label,
            self.label_panel.zoom_label,
        )
        for widget in self._editor_readouts:
            status.addPermanentWidget(widget)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_datasets()
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_dataset(p))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def _update_title(self, *_args) -> None:
        """``image — dataset* — LGAD Studio``: the ``*`` (Qt's ``[*]``) while any image has
        unsaved labels; the application's name once, at the end, where Qt expects it."""
        panel = self.label_panel
        parts = [APP_TITLE]
        if self.dataset is not None:
            parts.insert(0, f"{self.dataset.root.name or self.dataset.root}[*]")
        if panel.document is not None:
            parts.insert(0, panel.document.entry)
        self.setWindowTitle(" — ".join(parts) if len(parts) > 1 else f"{APP_TITLE}[*]")
        unsaved = len(panel.dirty_documents())
        self.setWindowModified(unsaved > 0)
        if self.dataset is not None:
            note = f" · {unsaved} unsaved" if unsaved else ""
            self.dataset_label.setText(f"{self.dataset.kind}: {self.dataset.root}{note}")

    def _on_tabs_current_changed(self, index: int) -> None:
        """The editor's readouts (lanes, cursor, zoom) belong to the Label tab only."""
        on_label = self.tabs.widget(index) is self.label_panel
        for widget in self._editor_readouts:
            widget.setVisible(on_label)
        if on_label:
            self.label_panel.canvas.setFocus()

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            APP_TITLE,
            "Label lanes, train a label-map teacher, distill students with Label-guided "
            "Attention Distillation, and evaluate them with the official CULane F1.",
        )

    # -- datasets -------------------------------------------------------------------------
    def choose_dataset_folder(self) -> bool:
        path = QFileDialog.getExistingDirectory(
            self, "Open a CULane root or a folder of images", self._start_folder()
        )
        return bool(path) and self.open_dataset(path)

    def choose_dataset_file(self) -> bool:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Open TuSimple labels", self._start_folder(), "TuSimple JSON (*.json *.jsonl)"
        )
        return bool(path) and self.open_dataset(path)

    def _start_folder(self) -> str:
        recent = self.settings.recent_datasets()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def open_dataset(self, path: str | Path) -> bool:
        """Open a CULane root, a TuSimple JSON file or a folder of images in the Label tab.

        A path that is no dataset (or one without a single image) is refused: the
        dataset already open stays open, and the message says what was expected.
        """
        try:
            dataset = open_dataset(path, strict=False)
        except StudioError as err:
            return self._refuse_dataset(str(err))
        if not any(dataset.entries(split) for split in dataset.split_names()):
            reasons = "; ".join(str(p) for p in dataset.problems[:1]) or (
                f"{path}: no images listed, expected a CULane root, a TuSimple JSON file "
                "or a folder of images"
            )
            return self._refuse_dataset(reasons)
        if not self.resolve_unsaved():
            return False
        self.dataset = dataset
        self.settings.add_recent_dataset(dataset.root if dataset.kind != "tusimple" else path)
        self.label_panel.hide_busy()
        self.label_panel.set_dataset(dataset)
        self.tabs.setCurrentWidget(self.label_panel)
        self.label_panel.canvas.setFocus()
        self._update_title()
        self.dataset_opened.emit(dataset)
        return True

    def _refuse_dataset(self, reason: str) -> bool:
        kept = f" {self.dataset.root} stays open." if self.dataset is not None else ""
        self.label_panel.messages.show_message(f"Cannot open the dataset: {reason}.{kept}")
        self.tabs.setCurrentWidget(self.label_panel)
        return False

    def open_default_demo(self) -> Job | None:
        """Open the built-in demo dataset, generating it first (once) in a background job.

        While it is generated the Label tab says so, with progress and Cancel, instead
        of showing an empty canvas.
        """
        from lgad_studio.core.demo.cache import default_demo_root, is_complete

        if self.demo_job is not None and not self.demo_job.state.is_terminal:
            return self.demo_job
        if is_complete(default_demo_root()):
            notice = self.label_panel.show_busy("Opening the demo dataset…")
        else:
            notice = self.label_panel.show_busy(
                "Generating the demo dataset (only on the first start)…",
                f"Procedural road scenes in CULane layout, written to {default_demo_root()}",
            )

        def make(cancel):
            from lgad_studio.core.demo import ensure_default_demo

            def progressed(done: int, total: int) -> None:
                report(Progress(done, total, "generating the demo dataset"))

            yield Progress(0, 0, "preparing the demo dataset")
            return ensure_default_demo(progress=progressed, cancel=cancel)

        job = self.jobs.submit("Demo dataset", make)
        job.progress.connect(lambda done, total, _message: notice.set_progress(done, total))
        notice.cancel_requested.connect(job.cancel)
        job.ended.connect(lambda: notice.cancel_requested.disconnect(job.cancel))
        job.ended.connect(self.label_panel.hide_busy)
        job.finished.connect(self.open_dataset)
        job.errored.connect(
            lambda message, _tb: self.label_panel.messages.show_message(
                f"The demo dataset could not be generated: {message}"
            )
        )
        job.cancelled.connect(
            lambda: self.label_panel.messages.show_message(
                "Demo generation cancelled. Open a dataset with File ▸ Open dataset folder…",
                level="info",
            )
        )
        self.demo_job = job
        return job

    # -- unsaved work and closing ---------------------------------------------------------
    def resolve_unsaved(self) -> bool:
        """Before closing or opening another dataset: ask about unsaved images; False = stay.

        Nothing is written unless the user says Save: Discard leaves every file as it
        was, Cancel keeps the window and the edits.
        """
        panel = self.label_panel
        panel.commit_draft()
        dirty = panel.dirty_documents()
        if not dirty:
            return True
        answer = ask_unsaved(self, len(dirty))
        if answer == "save":
            return not panel.save_all()
        return answer == "discard"

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if not self.resolve_unsaved():
            event.ignore()
            return
        self.settings.save_window(
            geometry=self.saveGeometry(),
            state=self.saveState(),
            splitter=self.label_panel.splitter.saveState(),
        )
        self.settings.sync()
        self.jobs.shutdown()
        event.accept()
