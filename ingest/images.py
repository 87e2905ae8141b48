"""inspect + extract + render for TIFF (multi-page), JPEG and PNG with Pillow.

Pages are decoded one at a time, so a 1 GB multi-page TIFF never sits in
memory whole.  The pixel limit is checked on every frame before decoding.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from . import ocr
from .model import Limits, NewPage, Rejected
from .ocr_read import read_page
from .pdf import RenderedPage
from .render import renditions_from_image


def check_pixels(size: tuple[int, int], limit: int, number: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise Rejected("broken", f"page {number} has no pixels")
    if width * height > limit:
        raise Rejected(
            "too large / decompression bomb",
            f"page {number} has {width} x {height} pixels, above the limit of {limit:,}",
        )


@contextlib.contextmanager
def reading(what: str) -> Iterator[None]:
    """Pillow parses the file's bytes: whatever it raises, but running out of memory, is
    the file's fault (a corrupt IFD raises TypeError, not OSError)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Rejected, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Rejected("too large / decompression bomb", str(exc)) from None
    except Exception as exc:
        raise Rejected("broken", f"{what}: {exc}") from None


def open_image(path: Path, limit: int) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = limit
    with reading("the image cannot be read"):
        return Image.open(path)


def count_frames(path: Path, limit: int) -> int:
    with open_image(path, limit) as image, reading("the image cannot be read"):
        check_pixels(image.size, limit, 1)
        return getattr(image, "n_frames", 1)


def image_pages(path: Path, limits: Limits) -> Iterator[RenderedPage]:
    limit = limits.image_max_pixels
    with open_image(path, limit) as image:
        with reading("the image cannot be read"):
            frames = getattr(image, "n_frames", 1)
        for index in range(frames):
            with reading(f"page {index + 1} cannot be decoded"):
                image.seek(index)
                original_size = image.size
                check_pixels(original_size, limit, index + 1)
                frame = decode_frame(image)
                dpi = image.info.get("dpi")
            yield _page(frame, index + 1, original_size, dpi, limits)


def decode_frame(image: Image.Image) -> Image.Image:
    """The frame as L or RGB; big JPEGs decode at a reduced scale (draft)."""
    width, height = image.size
    if image.format == "JPEG" and width * height > ocr.MAX_OCR_PIXELS:
        factor = (ocr.MAX_OCR_PIXELS / (width * height)) ** 0.5
        image.draft("RGB", (int(width * factor), int(height * factor)))
    image.load()
    if image.mode in ("L", "RGB"):
        return image.copy()
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def _page(
    frame: Image.Image, number: int, size: tuple[int, int], dpi_info, limits: Limits
) -> RenderedPage:
    dpi = None
    if isinstance(dpi_info, tuple) and dpi_info and dpi_info[0]:
        dpi = round(float(dpi_info[0])) or None
    decoded_dpi = round(dpi * frame.width / size[0]) if dpi else None  # after a draft decode
    result = read_page(
        frame, limits.ocr_languages, fraktur=limits.ocr_fraktur_languages, dpi=decoded_dpi,
        timeout=limits.ocr_page_seconds,
    )  # fmt: skip
    info = NewPage(
        number=number,
        width_px=size[0],
        height_px=size[1],
        dpi=dpi,
        text=result.text.strip(),
        text_source="ocr" if result.text.strip() else "none",
        ocr_confidence=result.confidence,
    )
    return RenderedPage(info, renditions_from_image(frame), ocr.words_json(result))
