"""Reading dataset images: RGB ``uint8 (H, W, 3)`` arrays and cheap size probes from file headers.

Missing or undecodable images raise :class:`~lgad_studio.core.errors.LabelFormatError`
naming the file. :func:`probe_image_size` reads only the PNG/JPEG header, so a
dataset can learn an image's size without decoding it.
"""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np

from lgad_studio.core.errors import LabelFormatError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG), CC (DAC) do not.
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def read_file_bytes(path: Path, *, what: str, missing: str) -> np.ndarray:
    """The bytes of ``path`` as ``uint8``; a :class:`LabelFormatError` naming the file otherwise.

    ``missing`` is the message for an absent file, ``what`` names the file in others.
    """
    try:
        return np.fromfile(path, dtype=np.uint8)
    except FileNotFoundError:
        raise LabelFormatError(path, missing) from None
    except OSError as exc:
        raise LabelFormatError(path, f"cannot read {what}: {exc.strerror or exc}") from None


def read_image_bgr(path: str | Path, *, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """The image at ``path`` as OpenCV decodes it: BGR ``uint8 (H, W, 3)``.

    ``flags`` may ask OpenCV for a reduced decode (``cv2.IMREAD_REDUCED_COLOR_2/4/8``:
    JPEGs are then scaled while decoding, several times faster than a full decode).
    """
    return read_image(path, flags=flags)


def read_image(path: str | Path, *, flags: int) -> np.ndarray:
    """The image at ``path`` decoded with OpenCV's ``imdecode`` ``flags`` (e.g.
    ``cv2.IMREAD_REDUCED_GRAYSCALE_2 | cv2.IMREAD_COLOR_RGB``: RGB at half size)."""
    path = Path(path)
    data = read_file_bytes(path, what="image", missing="image file is missing")
    image = cv2.imdecode(data, flags) if data.size else None
    if image is None:
        raise LabelFormatError(
            path, "cannot decode image, expected a readable JPEG, PNG or BMP file"
        )
    return image


def read_image_rgb(path: str | Path, *, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """The image at ``path`` as a C-contiguous RGB ``uint8 (H, W, 3)`` array (see ``read_image_bgr``)."""
    return np.ascontiguousarray(cv2.cvtColor(read_image_bgr(path, flags=flags), cv2.COLOR_BGR2RGB))


def probe_image_size(path: str | Path) -> tuple[int, int]:
    """``(width, height)`` of an image from its header (full decode for other formats)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except FileNotFoundError:
        raise LabelFormatError(path, "image file is missing") from None
    except OSError as exc:
        raise LabelFormatError(path, f"cannot read image: {exc.strerror or exc}") from None
    size = _png_size(head) or _jpeg_size(head)
    if size is not None:
        return size
    height, width = read_image_rgb(path).shape[:2]
    return width, height


def _png_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 24 or not head.startswith(_PNG_MAGIC) or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return (width, height) if width > 0 and height > 0 else None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    if not head.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 <= len(head):
        if head[i] != 0xFF:
            return None
        marker = head[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", head[i + 2 : i + 4])
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", head[i + 5 : i + 9])
            return (width, height) if width > 0 and height > 0 else None
        i += 2 + length
    return None


class ImageSizes:
    """Each entry's ``(width, height)``: probed from the file header once, learnt from decoded images.

    ``image_path`` maps an entry to its file; ``default`` is used while the image is missing.
    """

    def __init__(self, image_path, default: tuple[int, int]) -> None:
        self._image_path = image_path
        self.default = default
        self._sizes: dict[str, tuple[int, int]] = {}

    def __call__(self, entry: str) -> tuple[int, int]:
        size = self._sizes.get(entry)
        if size is None:
            path = self._image_path(entry)
            size = probe_image_size(path) if path.is_file() else self.default
            self._sizes[entry] = size
        return size

    def read(self, entry: str) -> np.ndarray:
        """The entry's RGB image (see :func:`read_image_rgb`); its size is remembered."""
        image = read_image_rgb(self._image_path(entry))
        self._sizes[entry] = (image.shape[1], image.shape[0])
        return image

    def remember(self, entry: str, size: tuple[int, int]) -> None:
        self._sizes.setdefault(entry, (int(size[0]), int(size[1])))
