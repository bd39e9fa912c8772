"""The Label tab: dataset browser, canvas and message bar, navigation and lane commands.

The panel owns the open dataset, the :class:`DocumentStore` (one undo stack per
image) and the editor's ``QAction``s, built from ``shortcuts.COMMANDS``. Moving
to another image autosaves the one being left (:mod:`~lgad_studio.gui.editor.saving`);
a save that fails leaves its edits in memory, marks the image unsaved in the
browser and says so in the message bar. Nothing here blocks on a dataset's size:
the browser lists names, and each image is read when it is shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QToolBar, QVBoxLayout, QWidget

from lgad_studio.core.errors import Problem, StudioError
from lgad_studio.core.formats.dataset import LaneDataset
from lgad_studio.gui.editor import edits
from lgad_studio.gui.editor.browser import DatasetBrowser
from lgad_studio.gui.editor.canvas import LaneCanvas
from lgad_studio.gui.editor.document import DocumentStore, LabelDocument
from lgad_studio.gui.editor.label_states import LabelStates
from lgad_studio.gui.editor.loading import drawing_hint, read_entry_lanes
from lgad_studio.gui.editor.message_bar import MessageBar
from lgad_studio.gui.editor.notice import BusyNotice
from lgad_studio.gui.editor.preferences import PreferencesDialog
from lgad_studio.gui.editor.propose import ProposeController
from lgad_studio.gui.editor.saving import LabelSaver
from lgad_studio.gui.editor.shortcuts import COMMANDS, ShortcutSheet
from lgad_studio.gui.editor.slots import ask_take_slot, slot_change
from lgad_studio.gui.jobs import JobRunner
from lgad_studio.gui.review import ReviewController
from lgad_studio.gui.settings import StudioSettings

MAX_LISTED_PROBLEMS = 3
TOOLBAR = (
    "previous_image", "next_image", "save", "|",
    "draw_lane", "delete", "auto_slots", "copy_previous", "|",
    "fit", "actual_size", "toggle_label_map", "|",
    "propose", "accept_proposal", "discard_proposal",
)  # fmt: skip


class LabelPanel(QWidget):
    """Everything of the Label tab; the main window only places it and routes menus to it."""

    entry_opened = Signal(str)
    dirty_count_changed = Signal(int)

    def __init__(
        self, settings: StudioSettings, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.dataset: LaneDataset | None = None
        self.store = DocumentStore(self)
        self.document: LabelDocument | None = None
        self.image: np.ndarray | None = None  # uint8 [H, W, 3] RGB shown, for "Propose lanes"
        self.states = LabelStates(self.store)
        self.browser = DatasetBrowser(self.states, self)
        self.canvas = LaneCanvas(self)
        self.messages = MessageBar(self)
        self.position_label = QLabel(self)
        self.zoom_label = QLabel(self)
        self.lane_label = QLabel(self)
        self.hint_label = QLabel(self)  # what the keys do in the current mode (drawing)
        self._sheet: ShortcutSheet | None = None
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        column.addWidget(self.toolbar)
        column.addWidget(self.messages)
        self.notice = BusyNotice(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.canvas)
        self.stack.addWidget(self.notice)
        column.addWidget(self.stack, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self.proposals = ProposeController(self, jobs)
        self.saver = LabelSaver(self)
        self.actions = self._build_actions()
        self.undo_action = self.store.undo_group.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence.StandardKey.Undo])
        self.redo_action = self.store.undo_group.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addActions([self.undo_action, self.redo_action, *self.actions.values()])
        for name in TOOLBAR:
            if name == "|":
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(self.actions[name])
        self.review = ReviewController(self, jobs)  # proposals, queue, batch, propagation
        column.insertWidget(1, self.review.bar)
        self.browser.model.is_keyframe = self.review.propagation.is_keyframe
        self.browser.entry_selected.connect(self.open_entry)
        self.browser.emptied.connect(self.close_entry)
        self.canvas.accept_requested.connect(self.review.accept)
        self.canvas.discard_requested.connect(self.review.discard)
        self.store.document_dirty_changed.connect(self._on_store_dirty_changed)
        self.canvas.cursor_moved.connect(self._on_canvas_cursor_moved)
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.canvas.selection_changed.connect(self._update_lane_label)
        self.canvas.drawing_changed.connect(self._update_hint)
        self.canvas.draft_changed.connect(self._update_hint)
        self.canvas.tolerance_px = settings.simplify_tolerance_px()
        self.actions["toggle_label_map"].setChecked(settings.show_label_map())
        self.canvas.set_overlay_visible(settings.show_label_map())
        self.review.update_actions()

    # -- actions --------------------------------------------------------------------------
    def _build_actions(self) -> dict[str, QAction]:
        handlers = {
            "previous_image": lambda: self.go(-1),
            "next_image": lambda: self.go(+1),
            "save": self.save,
            "draw_lane": self.canvas.start_drawing,
            "delete": self.canvas.delete_selected,
            "delete_lane": lambda: self.canvas.delete_selected(whole_lane=True),
            "next_lane": lambda: self.canvas.select_next_lane(+1),
            "slot_1": lambda: self.assign_slot(1),
            "slot_2": lambda: self.assign_slot(2),
            "slot_3": lambda: self.assign_slot(3),
            "slot_4": lambda: self.assign_slot(4),
            "slot_none": lambda: self.assign_slot(None),
            "auto_slots": self.auto_assign_slots,
            "copy_previous": self.copy_from_previous,
            "fit": self.canvas.fit,
            "actual_size": lambda: self.canvas.set_zoom(1.0),
            "zoom_in": lambda: self.canvas.zoom_by(1.25),
            "zoom_out": lambda: self.canvas.zoom_by(0.8),
            "toggle_label_map": self._on_label_map_toggled,
            "shortcuts": self.show_shortcuts,
            "propose": self.proposals.propose,
            "accept_proposal": lambda: self.review.accept(),
            "discard_proposal": lambda: self.review.discard(),
            "load_checkpoint": self.proposals.choose_checkpoint,
            "preferences": self.show_preferences,
        }
        actions: dict[str, QAction] = {}
        for command in COMMANDS:
            action = QAction(command.text, self)
            action.setIconText(command.short or command.text)
            action.setShortcuts([QKeySequence(k) for k in command.keys])
            tip = f"{command.text} ({', '.join(command.keys)})" if command.keys else command.text
            action.setToolTip(f"{tip} — {command.tip}" if command.tip else tip)
            # Keys act only while the focus is in this tab; the other tabs keep their own keys.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            if command.name in handlers:
                action.triggered.connect(handlers[command.name])
            actions[command.name] = action
        actions["toggle_label_map"].setCheckable(True)
        return actions

    def show_preferences(self) -> bool:
        """Edit ▸ Preferences…; True when the user accepted (the new values apply at once)."""
        dialog = PreferencesDialog(self.canvas.tolerance_px, self)
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return False
        self.settings.set_simplify_tolerance_px(dialog.tolerance_px())
        self.canvas.set_tolerance(dialog.tolerance_px())
        self._update_lane_label()
        return True

    def show_busy(self, title: str, detail: str = "") -> BusyNotice:
        """Show the busy page instead of the canvas (e.g. while the demo data is generated)."""
        self.notice.start(title, detail)
        self.stack.setCurrentWidget(self.notice)
        return self.notice

    def hide_busy(self) -> None:
        self.stack.setCurrentWidget(self.canvas)

    def show_shortcuts(self) -> ShortcutSheet:
        if self._sheet is None:
            self._sheet = ShortcutSheet(self)
        self._sheet.show()
        self._sheet.raise_()
        return self._sheet

    def _on_label_map_toggled(self, checked: bool) -> None:
        self.canvas.set_overlay_visible(checked)
        self.settings.set_show_label_map(checked)

    # -- dataset and navigation -----------------------------------------------------------
    def set_dataset(self, dataset: LaneDataset | None) -> None:
        """Show ``dataset`` (the caller has dealt with unsaved work of the previous one)."""
        self.canvas.set_document(None)
        self.store.clear()
        self.document = None
        self.messages.clear()
        self.states.set_dataset(dataset)
        self.saver.reset()
        self.dataset = dataset
        self.review.set_dataset(dataset)
        last = self.settings.last_entry(dataset.root) if dataset is not None else None
        self.browser.set_dataset(dataset, split=last[0] if last else None)
        if dataset is not None and dataset.problems:
            lines = all(p.line is not None for p in dataset.problems)
            title = (
                "Some list lines were skipped"
                if lines
                else f"{dataset.root} opened with {len(dataset.problems)} problem(s)"
            )
            self._show_problems(title, dataset.problems, level="warning")
        target = last[1] if last and self.browser.model.row_of(last[1]) is not None else None
        target = target or self.browser.neighbour(None, 0)
        if target is not None:
            self.open_entry(target)
        self.dirty_count_changed.emit(0)

    def go(self, step: int) -> bool:
        """Previous (-1) / next (+1) image in the browser's visible list."""
        if self.canvas.is_drawing:
            self.canvas.finish_drawing()
        current = self.document.entry if self.document is not None else None
        target = self.browser.neighbour(current, step)
        if target is None or target == current:
            return False
        self.open_entry(target)
        return True

    def open_entry(self, entry: str) -> None:
        """Autosave the image being left, then show ``entry`` with its lanes and undo history."""
        if self.dataset is None or (self.document is not None and self.document.entry == entry):
            return
        self.canvas.cancel_drawing()
        self.messages.clear_transient()
        if self.document is not None:
            self.autosave(self.document)
        document = self.store.get(entry) or self._load_document(entry)
        image = self._read_image(entry)
        self.image = image
        self.canvas.set_image(image, size=document.lanes.image_size)
        self.canvas.set_document(document)
        self.document = document
        self.store.activate(document)
        self.browser.shown_entry = entry
        self.browser.reveal(entry)  # e.g. "Fix labels" from the Evaluate tab: show it in the list
        self.saver.check_folders(entry)
        self.settings.set_last_entry(self.dataset.root, self.browser.split, entry)
        self._update_lane_label()
        self.review.update_actions()
        self.entry_opened.emit(entry)

    def _load_document(self, entry: str) -> LabelDocument:
        problems: list[Problem] = []
        lanes = read_entry_lanes(self.dataset, entry, problems)
        if problems:
            self._show_problems(
                "Label file problems (autosave will not overwrite it; Ctrl+S does)",
                problems,
                level="warning",
            )
        document = LabelDocument(entry, lanes, problems=problems)
        document.proposal_changed.connect(lambda: self.review.update_actions())
        return self.store.add(document)

    def _read_image(self, entry: str):
        try:
            return self.dataset.read_image(entry)  # type: ignore[union-attr]
        except StudioError as err:
            self.messages.show_message(
                f"{err}\nThe lanes are shown on a blank canvas and can still be edited."
            )
            return None

    def close_entry(self) -> None:
        """Show no image (the filters hide them all); the one left is autosaved like on A/D."""
        if self.document is None:
            return
        self.canvas.cancel_drawing()
        self.autosave(self.document)
        self.canvas.set_document(None)
        self.canvas.set_image(None, size=(0, 0))
        self.document = None
        self.image = None
        self.store.activate(None)
        self.browser.shown_entry = None
        self._update_lane_label()
        self.review.update_actions()
        self.messages.show_message("No image matches the filters.", level="info")
        self.entry_opened.emit("")

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> bool:
        """Ctrl+S: write the current image's labels (even over a file that had problems)."""
        if self.document is None:
            return False
        if self.canvas.is_drawing:
            self.canvas.finish_drawing()
        return self.saver.save(self.document)

    def autosave(self, document: LabelDocument) -> bool:
        """Save on leaving an image: only when changed, never over a file that had problems."""
        return self.saver.autosave(document)

    def save_all(self) -> list[LabelDocument]:
        """Write every unsaved document; returns those that could not be written."""
        return self.saver.save_all()

    def dirty_documents(self) -> list[LabelDocument]:
        return self.store.dirty()

    def commit_draft(self) -> None:
        """A lane being drawn becomes a lane (an undoable edit), so that it counts as unsaved."""
        if self.canvas.is_drawing and not self.canvas.finish_drawing():
            self.canvas.cancel_drawing()

    # -- lane commands that need the dataset ------------------------------------------------
    def auto_assign_slots(self) -> None:
        if self.document is not None:
            self.document.apply(self.document.lanes.with_auto_slots(), "Auto-assign slots")

    def copy_from_previous(self) -> bool:
        """Replace this image's lanes by those of the previous image in the list (undoable)."""
        if self.document is None or self.dataset is None:
            return False
        previous = self.browser.neighbour(self.document.entry, -1)
        if previous is None:
            self.messages.show_message(
                "There is no previous image to copy lanes from.", level="info"
            )
            return False
        source = self.store.get(previous)
        try:
            lanes = source.lanes if source else self.dataset.read_lanes(previous, strict=False)
        except StudioError as err:
            self.messages.show_message(str(err))
            return False
        what = previous
        if not len(lanes) and len(proposed := self.review.proposed_lanes(previous)):
            lanes, what = proposed, f"the proposals of {previous} (it has no lanes)"
        copied = edits.copied_into(lanes, self.document.lanes.image_size)
        applied = self.document.apply(copied, f"Copy lanes from {previous}")
        if applied and what != previous:
            self.messages.show_message(f"Copied {len(copied)} lanes from {what}.", level="info")
        return applied

    def assign_slot(self, slot: int | None) -> bool:
        """Keys 1-4 / 0: the selected lane's slot; a slot taken from a slot-less lane asks first."""
        document, index = self.document, self.canvas.selected_lane
        if document is None or index is None or index >= len(document.lanes):
            self.messages.show_message("Select a lane first (click it, or press L).", level="info")
            return False
        change = slot_change(document.lanes, index, slot)
        if change is None:
            return False
        if change.needs_consent and not ask_take_slot(self, slot):  # type: ignore[arg-type]
            return False
        label = f"Set slot {slot}" if slot else "Clear slot"
        document.apply(change.lanes, label)
        self.messages.show_message(change.message, level="info")
        return True

    # -- status -------------------------------------------------------------------------------
    def _on_store_dirty_changed(self, entry: str, _dirty: bool) -> None:
        self.browser.model.entry_changed(entry)
        self.dirty_count_changed.emit(len(self.store.dirty()))

    def _on_canvas_cursor_moved(self, x: float, y: float) -> None:
        self.position_label.setText(f"x {x:7.1f}  y {y:6.1f} px")

    def _update_lane_label(self) -> None:
        document = self.document
        if document is None:
            self.lane_label.setText("")
            return
        index = self.canvas.selected_lane
        lanes = document.lanes
        text = f"{len(lanes)} lane{'s' if len(lanes) != 1 else ''}"
        if index is not None and index < len(lanes):
            lane = lanes[index]
            slot = lane.slot if lane.slot is not None else "none"
            handles = len(self.canvas.control_points(index))
            text += f" · selected: slot {slot}, {handles} control points"
            if handles != len(lane):
                text += f" (of {len(lane)} vertices)"
        self.lane_label.setText(text)

    def _update_hint(self, *_args) -> None:
        self.hint_label.setText(drawing_hint(self.canvas.draft))

    def _show_problems(self, title: str, problems: list[Problem], *, level: str) -> None:
        listed = [str(p) for p in problems[:MAX_LISTED_PROBLEMS]]
        more = len(problems) - len(listed)
        tail = f"\n… and {more} more" if more > 0 else ""
        self.messages.show_message(f"{title}:\n" + "\n".join(listed) + tail, level=level)
