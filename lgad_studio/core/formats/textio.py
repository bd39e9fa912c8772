"""Helpers every label reader shares: reading a text file and describing bad values."""

from __future__ import annotations

import math
from pathlib import Path

from lgad_studio.core.errors import LabelFormatError


def read_label_text(path: Path, *, what: str = "") -> str:
    """The UTF-8 text of a label file; a :class:`LabelFormatError` naming it otherwise.

    ``what`` names the kind of file in the message ("cannot read list file: ...").
    """
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LabelFormatError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise LabelFormatError(
            path, f"cannot read{' ' + what if what else ''}: {exc.strerror or exc}"
        ) from None


def is_finite_number(value: object) -> bool:
    """A JSON number (not a bool) that fits a finite float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond float range
        return False


def short_repr(value: object) -> str:
    """``repr(value)``, cut to a length that fits an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
