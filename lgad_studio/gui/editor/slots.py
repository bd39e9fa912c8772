"""Slot rules the user sees: a taken slot is never taken silently, odd lane sets are explained.

Keys 1-4 give the selected lane a slot. When another lane holds it and the selected
lane has a slot of its own, the two swap (both keep a slot) and the message bar
says so. When the selected lane has no slot, taking the slot would leave the other
lane without one: the user is asked first. Saving lanes without a slot, or more
than CULane's four, is allowed (nothing is lost) but explained: such lanes reach
the ``.lines.txt`` only, not the mask or the list's existence flags.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QMessageBox, QWidget

from lgad_studio.core.lanes import NUM_SLOTS, LaneSet


@dataclass(frozen=True)
class SlotChange:
    """What pressing a slot key does: the new lanes and the sentence that says so."""

    lanes: LaneSet
    message: str
    needs_consent: bool  # another lane would be left without a slot


def slot_change(lanes: LaneSet, index: int, slot: int | None) -> SlotChange | None:
    """The result of giving lane ``index`` the ``slot`` (``None`` clears it); ``None`` if no-op."""
    lane = lanes[index]
    if lane.slot == slot:
        return None
    changed = lanes.set_slot(index, slot)
    holder = next(
        (
            i
            for i, other in enumerate(lanes)
            if i != index and slot is not None and other.slot == slot
        ),
        None,
    )
    if holder is None:
        text = (
            "Slot cleared: the lane is drawn '?'." if slot is None else f"Lane set to slot {slot}."
        )
        return SlotChange(changed, text, needs_consent=False)
    if lane.slot is not None:
        text = (
            f"Swapped slots: the selected lane is now slot {slot}, the lane that had "
            f"slot {slot} is now slot {lane.slot} (Ctrl+Z undoes)."
        )
        return SlotChange(changed, text, needs_consent=False)
    text = (
        f"Moved slot {slot} to the selected lane; the lane that had it now has no slot "
        "(drawn '?'): give it one with 1-4 or S. Ctrl+Z undoes."
    )
    return SlotChange(changed, text, needs_consent=True)


def ask_take_slot(parent: QWidget, slot: int) -> bool:
    """Ask whether the selected (slot-less) lane may take ``slot`` from the lane holding it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("LGAD Studio")
    box.setText(f"Another lane already has slot {slot}.")
    box.setInformativeText(
        f"Moving slot {slot} here leaves that lane without a slot. "
        "Give the selected lane a free slot instead, or press S to re-assign all slots."
    )
    move = box.addButton(f"Move slot {slot} here", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is move


def save_warning(entry: str, lanes: LaneSet) -> str | None:
    """Why the saved lanes will not come back as they are, or ``None`` when they will."""
    unslotted = sum(1 for lane in lanes if lane.slot is None and len(lane))
    if not unslotted and len(lanes) <= NUM_SLOTS:
        return None
    parts = []
    if unslotted:
        parts.append(f"{unslotted} {'has' if unslotted == 1 else 'have'} no slot")
    if len(lanes) > NUM_SLOTS:
        parts.append(f"CULane holds at most {NUM_SLOTS} lanes (slots 1-4)")
    return (
        f"{entry}: saved {len(lanes)} lane{'s' if len(lanes) != 1 else ''}, but "
        + " and ".join(parts)
        + ". Lanes without a slot are kept in the .lines.txt, but not in the label mask "
        "or the list's existence flags, so training ignores them and reopening the image "
        "re-assigns slots by the CULane rule. Give each lane a slot (1-4, or S) or "
        "delete the extra lanes (Shift+Delete)."
    )
