"""Every editor command with its keys, in one table, and the shortcut sheet (F1 or ``?``).

The label panel creates its ``QAction``s from :data:`COMMANDS`, and the sheet is
rendered from the same table plus :data:`GESTURES`, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget


@dataclass(frozen=True)
class Command:
    """One editor command: the panel method it calls, its menu text and its keys."""

    name: str
    text: str
    keys: tuple[str, ...]
    group: str
    tip: str = ""
    short: str = ""  # toolbar text


COMMANDS: tuple[Command, ...] = (
    Command(
        "previous_image",
        "Previous image",
        ("A",),
        "Images",
        "autosaves this one",
        short="◀ Previous",
    ),
    Command("next_image", "Next image", ("D",), "Images", "autosaves this one", short="Next ▶"),
    Command(
        "save",
        "Save labels",
        ("Ctrl+S",),
        "Images",
        "atomic write of .lines.txt (+ mask)",
        short="Save",
    ),
    Command(
        "draw_lane",
        "Draw a lane",
        ("N", "W"),
        "Lanes",
        "click vertices; Enter finishes",
        short="Draw lane",
    ),
    Command(
        "delete",
        "Delete vertex / lane",
        ("Delete",),
        "Lanes",
        "the selected vertex, else the lane",
        short="Delete",
    ),
    Command("delete_lane", "Delete lane", ("Shift+Delete",), "Lanes"),
    Command("next_lane", "Select next lane", ("L",), "Lanes"),
    Command("slot_1", "Slot 1 (outer left)", ("1",), "Slots"),
    Command("slot_2", "Slot 2 (left ego line)", ("2",), "Slots"),
    Command("slot_3", "Slot 3 (right ego line)", ("3",), "Slots"),
    Command("slot_4", "Slot 4 (outer right)", ("4",), "Slots"),
    Command("slot_none", "Clear slot", ("0",), "Slots"),
    Command(
        "auto_slots",
        "Auto-assign slots",
        ("S",),
        "Slots",
        "the CULane left-to-right rule",
        short="Auto slots",
    ),
    Command(
        "copy_previous",
        "Copy lanes from previous image",
        ("C",),
        "Lanes",
        "replaces this image's lanes",
        short="Copy previous",
    ),
    Command("fit", "Fit image", ("F",), "View", short="Fit"),
    Command("actual_size", "Zoom 1:1", ("Ctrl+0",), "View", short="1:1"),
    Command("zoom_in", "Zoom in", ("Ctrl++", "="), "View"),
    Command("zoom_out", "Zoom out", ("Ctrl+-", "-"), "View"),
    Command(
        "toggle_label_map",
        "Show the label map",
        ("M",),
        "View",
        "what the teacher sees: the lanes at its 30-px line width",
        short="Label map",
    ),
    Command(
        "propose",
        "Propose lanes",
        ("P",),
        "Model",
        "this image's lanes, by the Model menu's model",
        short="Propose lanes",
    ),
    Command(
        "accept_proposal",
        "Accept proposed lanes",
        (),
        "Review",
        "Enter on the canvas: the selected one, else all shown; lanes the image has stay",
        short="Accept",
    ),
    Command(
        "accept_replacing",
        "Accept, replacing matching lanes",
        (),
        "Review",
        "Shift+Enter on the canvas: a proposal that matches a lane replaces it",
    ),
    Command(
        "discard_proposal",
        "Discard proposed lanes",
        (),
        "Review",
        "Esc on the canvas: hides this image's proposals",
        short="Discard",
    ),
    Command("next_proposal", "Select next proposed lane", ("Shift+L",), "Review"),
    Command(
        "autolabel",
        "Auto-label images…",
        ("Ctrl+Shift+P",),
        "Review",
        "the model proposes lanes for many images in the background",
        short="Auto-label…",
    ),
    Command(
        "next_uncertain",
        "Next most uncertain image",
        ("U",),
        "Review",
        "the review queue of the shown proposals; autosaves this one",
        short="Next uncertain ▶",
    ),
    Command("previous_uncertain", "Previous image of the review queue", ("Shift+U",), "Review"),
    Command(
        "mark_keyframe",
        "Mark / unmark keyframe",
        ("K",),
        "Review",
        "the frames propagation interpolates between",
    ),
    Command(
        "propagate",
        "Propagate lanes between keyframes",
        ("Shift+K",),
        "Review",
        "the clip's keyframes (else its labelled frames) to the frames between, as proposals",
    ),
    Command(
        "refine_propagation",
        "Refine propagated lanes with the model",
        (),
        "Review",
        "each frame's lanes move to the model's lane peaks within 20 px",
    ),
    Command("retrain_teacher", "Train a teacher on the corrected labels", (), "Review"),
    Command("retrain_student", "Train a student on the corrected labels", (), "Review"),
    Command(
        "load_checkpoint", "Choose model…", (), "Model", "a student checkpoint or its ONNX export"
    ),
    Command("shortcuts", "Keyboard shortcuts", ("F1", "?"), "Help"),
    Command("preferences", "Preferences…", (), "Edit", "the control-point tolerance"),
)

# Keys handled by the canvas itself (they mean different things while drawing) and the mouse.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo (one history per image)"),
    ("Click (drawing)", "add a vertex"),
    ("Enter or double-click", "finish the lane being drawn"),
    ("Enter", "accept the selected proposed lane, else all shown (lanes the image has stay)"),
    ("Shift+Enter", "the same, a proposal replacing the lane it matches"),
    ("Click a dashed lane", "select that proposal; right-click: its menu"),
    ("Backspace (drawing)", "remove the last vertex; else delete the selection"),
    ("Esc", "cancel drawing; else deselect a proposal; else hide proposals; else deselect"),
    ("Click a lane", "select it (handles appear on its control points)"),
    ("Drag a handle", "move the control point"),
    ("Drag a lane", "move the whole lane"),
    ("Shift+drag a lane", "bend it: the grabbed point follows, the ends stay"),
    ("Double-click a lane", "insert a control point on the curve"),
    ("Wheel", "zoom at the cursor"),
    ("Drag empty space / middle drag / Space+drag", "pan"),
)


def sheet_html() -> str:
    """The shortcut sheet as an HTML table, grouped like the menus."""
    rows: list[str] = []
    groups: dict[str, list[Command]] = {}
    for command in COMMANDS:
        if command.keys:
            groups.setdefault(command.group, []).append(command)
    for group, commands in groups.items():
        rows.append(f"<tr><th colspan=2 align=left><br>{group}</th></tr>")
        for command in commands:
            tip = f" <span style='color:gray'>— {command.tip}</span>" if command.tip else ""
            keys = " or ".join(f"<b>{k}</b>" for k in command.keys)
            rows.append(f"<tr><td>{keys}</td><td>{command.text}{tip}</td></tr>")
    rows.append("<tr><th colspan=2 align=left><br>Canvas and mouse</th></tr>")
    rows.extend(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in GESTURES)
    return "<table cellspacing=4>" + "".join(rows) + "</table>"


class ShortcutSheet(QDialog):
    """A non-modal window listing every key and gesture of the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts — LGAD Studio")
        self.setWindowFlag(Qt.WindowType.Tool)
        text = QTextBrowser(self)
        text.setHtml(sheet_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.resize(560, 640)
