"""Reading an entry's lanes for the editor, and the status line of the drawing mode.

:func:`read_entry_lanes` reads leniently and never raises: what was skipped goes to
``problems`` (shown in the message bar), and an image that cannot be read does not
hide its labels.
"""

from __future__ import annotations

from lgad_studio.core.errors import LabelFormatError, Problem
from lgad_studio.core.formats.culane_lines import read_lines_txt
from lgad_studio.core.formats.dataset import LaneDataset
from lgad_studio.core.lanes import CULANE_SIZE, LaneSet
from lgad_studio.gui.editor.draft import LaneDraft


def read_entry_lanes(dataset: LaneDataset, entry: str, problems: list[Problem]) -> LaneSet:
    """The entry's lanes, read leniently; what was skipped goes to ``problems``."""
    default = LaneSet((), image_size=getattr(dataset, "default_image_size", CULANE_SIZE))
    try:
        return dataset.read_lanes(entry, strict=False, problems=problems)
    except LabelFormatError as err:
        lines = dataset.lines_path(entry)
        if err.path != dataset.image_path(entry) or lines is None or not lines.is_file():
            problems.append(Problem.from_error(err))
            return default
    # The image is broken, not its labels (reported when the image is read): show the
    # labels in the dataset's default frame.
    try:
        return read_lines_txt(lines, image_size=default.image_size, strict=False, problems=problems)
    except LabelFormatError as err:
        problems.append(Problem.from_error(err))
        return default


def drawing_hint(draft: LaneDraft | None) -> str:
    """What the keys do while a lane is drawn (empty when not drawing)."""
    if draft is None:
        return ""
    count = len(draft)
    finish = "Enter or double-click finishes · " if draft.can_finish else ""
    return (
        f"Drawing a lane ({count} {'vertex' if count == 1 else 'vertices'}): click adds a "
        f"vertex · {finish}Backspace removes the last · Esc cancels"
    )
