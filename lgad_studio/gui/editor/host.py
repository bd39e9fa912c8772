"""What the Label tab's parts use of the tab itself: :class:`LabelHost`.

Saving, the single-image proposal, the review and clip propagation are built by
``LabelPanel`` and reach back into it. Typing them against this protocol instead of
the panel keeps the imports one-way (``tests/core/test_architecture.py`` forbids
cycles, ``TYPE_CHECKING`` imports included): the panel imports its parts, they
import only this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
from PySide6.QtGui import QAction

from lgad_studio.core.formats.dataset import LaneDataset
from lgad_studio.gui.editor.browser import DatasetBrowser
from lgad_studio.gui.editor.canvas import LaneCanvas
from lgad_studio.gui.editor.document import DocumentStore, LabelDocument
from lgad_studio.gui.editor.label_states import LabelStates
from lgad_studio.gui.editor.message_bar import MessageBar
from lgad_studio.gui.settings import StudioSettings


class LabelHost(Protocol):
    """The Label tab as its parts see it (``LabelPanel`` is one)."""

    dataset: LaneDataset | None
    store: DocumentStore  # the open documents, with their unsaved edits
    states: LabelStates  # per-entry label state of the browser
    document: LabelDocument | None  # the shown image's document
    image: np.ndarray | None  # uint8 [H, W, 3] RGB of the shown image
    settings: StudioSettings
    messages: MessageBar
    actions: Mapping[str, QAction]
    browser: DatasetBrowser
    canvas: LaneCanvas
    proposals: Any  # the ProposeController (it imports this module)
    review: Any  # the ReviewController (it imports this module)
    entry_opened: Any  # Signal(str): an image was opened
