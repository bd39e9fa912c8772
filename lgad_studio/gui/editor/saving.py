"""Writing an image's labels: Ctrl+S, autosave on leaving an image, save-all on request.

Every write is the dataset's atomic ``write_lanes``. A write that fails (read-only
folder, full disk) keeps the edits in memory, marks the image unsaved and says why
in the message bar. A label folder that refuses writes is found before the first
save: the folders of each image are probed (a temporary file created and removed,
as every atomic write starts) the first time one of its images is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from lgad_studio.core.atomic import write_problem
from lgad_studio.core.errors import StudioError
from lgad_studio.gui.editor.document import LabelDocument
from lgad_studio.gui.editor.slots import save_warning

if TYPE_CHECKING:
    from lgad_studio.gui.editor.host import LabelHost


class LabelSaver(QObject):
    """Saves documents of the panel's dataset and reports what happened."""

    def __init__(self, panel: LabelHost) -> None:
        super().__init__(panel)
        self._panel = panel
        self._probed: dict[Path, str | None] = {}  # folder -> why it refuses writes

    def reset(self) -> None:
        self._probed = {}

    def save(self, document: LabelDocument) -> bool:
        """Ctrl+S: write the labels, even over a file that had problems (the user asked)."""
        return self._write(document)

    def autosave(self, document: LabelDocument) -> bool:
        """Save on leaving an image: only when changed, never over a file that had problems."""
        if not document.is_dirty:
            return True
        if document.problems:
            self._panel.messages.show_message(
                f"{document.entry}: not saved automatically because its label file had "
                "problems; open it and press Ctrl+S to overwrite it. Edits are kept.",
                level="warning",
                sticky=True,
            )
            return False
        return self._write(document)

    def save_all(self) -> list[LabelDocument]:
        """Write every unsaved document; returns those that could not be written."""
        return [doc for doc in self._panel.store.dirty() if not self._write(doc)]

    def check_folders(self, entry: str) -> str | None:
        """Probe the folders ``entry``'s labels are written to (once each); a message if one
        refuses writes, shown now rather than at the first save."""
        dataset = self._panel.dataset
        if dataset is None:
            return None
        folders = [p.parent for p in (dataset.lines_path(entry), dataset.mask_path(entry)) if p]
        if not folders:
            folders = [Path(dataset.root)]  # labels inside the dataset's JSON files
        refused = []
        for folder in folders:
            if folder not in self._probed:
                self._probed[folder] = write_problem(folder)
                if self._probed[folder] is not None:
                    refused.append((folder, self._probed[folder]))
        if not refused:
            return None
        folder, reason = refused[0]
        text = (
            f"The label folder {folder} is read-only ({reason}): you can edit "
            f"{entry}, but saving it will fail. Make the folder writable, or copy the "
            "dataset somewhere writable and open the copy. Edits stay in memory until then."
        )
        self._panel.messages.show_message(text, level="warning", sticky=True)
        return text

    def _write(self, document: LabelDocument) -> bool:
        panel = self._panel
        dataset = panel.dataset
        assert dataset is not None
        try:
            dataset.write_lanes(document.entry, document.lanes)
        except (OSError, StudioError) as err:
            path = dataset.lines_path(document.entry) or dataset.root
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            unsaved = len(panel.store.dirty())
            panel.messages.show_message(
                f"Could not save the labels of {document.entry} to {path}: {reason}.\n"
                f"Your edits are kept in memory ({unsaved} unsaved image"
                f"{'s' if unsaved != 1 else ''}, marked ● in the list); make the folder "
                "writable and press Ctrl+S, or they are offered again when you close.",
                sticky=True,
            )
            return False
        document.mark_saved()
        panel.states.forget(document.entry)
        if panel.messages.sticky and not panel.store.dirty():
            panel.messages.clear()
        warning = save_warning(document.entry, document.lanes)
        if warning is not None:
            panel.messages.show_message(warning, level="warning")
        panel.browser.model.entry_changed(document.entry)
        return True
