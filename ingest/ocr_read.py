"""How Bauakte reads a scanned page: cleaned first, Fraktur tried where German reads poorly.

The choices, each measured on generated aged pages with known text
(``bench/ocr_quality.py``, figures in its docstring and in issue 16's note):

- every page is cleaned (``ocr_prepare``: even paper, deskew, despeckle) before OCR;
- tesseract's automatic page segmentation (``--psm 3``) for every page: on text pages it
  beat single-block (6) and single-column (4) reading, and on a plan it read every label,
  as the sparse-text mode (11) did, so no per-page switch earned its second run;
- a page whose mean word confidence stays below ``RETRY_BELOW`` is read once more with the
  Fraktur model(s) of ``ocr_fraktur_languages`` and the reading with the higher
  confidence kept: German reads Fraktur print at about 82 % confidence and the Fraktur
  model at 87 %, while clean modern and typewritten pages read above 88 % stay one run.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from dataclasses import replace

from PIL import Image

from . import ocr
from .model import MissingDependency, Rejected, ToolFailure

log = logging.getLogger(__name__)

RETRY_BELOW = 88.0
"""Mean word confidence under which a second model is tried (see the module docstring)."""


def read_page(
    image: Image.Image,
    languages: str,
    *,
    fraktur: str = "",
    dpi: int | None = None,
    timeout: float = 300,
) -> ocr.OcrResult:
    """Text and word boxes of one scanned page; boxes relative to ``image`` as given."""
    image, scale = ocr.within_limit(image)
    if dpi:
        dpi = max(70, round(dpi * scale))
    prepared = _prepared(image, dpi)
    started = time.monotonic()
    result = ocr.recognise(prepared.image, languages, dpi=dpi, timeout=timeout)
    left = timeout - (time.monotonic() - started)
    if fraktur and fraktur != languages and _poor(result) and left > 1:
        try:  # a second opinion only: its failing never costs the first reading
            second = ocr.recognise(prepared.image, fraktur, dpi=dpi, timeout=left)
        except (Rejected, ToolFailure) as exc:
            log.warning("second OCR reading (%s) failed, the first is kept: %s", fraktur, exc)
        else:
            if (second.confidence or 0) > (result.confidence or 0):
                result = second
    return _unturned(result, prepared)


def _prepared(image: Image.Image, dpi: int | None):
    """The page cleaned; if cleaning itself fails (OpenCV out of memory on a huge page),
    the page as it is: a reading without cleaning beats no reading."""
    cleaning = _cleaning()
    try:
        return cleaning.prepare(image, dpi)
    except Exception as exc:  # cv2.error has no finer kind for "out of memory"
        log.warning("cleaning a %dx%d page for OCR failed, read as scanned: %s",
                    *image.size, exc)  # fmt: skip
        return cleaning.Prepared(image.convert("L"), 0.0, image.size)


def _poor(result: ocr.OcrResult) -> bool:
    """Read, but not surely: a page with no words at all (blank, a photo) is not retried."""
    return result.confidence is not None and result.confidence < RETRY_BELOW


def _unturned(result: ocr.OcrResult, prepared) -> ocr.OcrResult:
    """Word boxes on the page as scanned, where the viewer draws them."""
    if not prepared.angle:
        return result
    unturn = _cleaning().unturn
    words = []
    for word in result.words:
        left, top, width, height = unturn(
            (word.left, word.top, word.width, word.height),
            prepared.angle, prepared.image.size, prepared.scanned,
        )  # fmt: skip
        words.append(replace(word, left=left, top=top, width=width, height=height))
    return replace(result, words=words)


def _cleaning():
    """``ocr_prepare``, loaded on the first scan: OpenCV and numpy take about 190 MB of
    address space, which a web process or a worker reading only born-digital PDFs is spared
    (and a worker loads it after ``pool`` set numpy to one thread)."""
    try:
        from . import ocr_prepare
    except ImportError as exc:
        raise ToolFailure(
            f"OpenCV for cleaning scans could not be loaded ({exc}); 'failed to map segment' "
            "means ingest_memory_limit_mb is too small for it: set 600 or more"
        ) from None
    return ocr_prepare


def probe() -> None:
    """Check OpenCV is installed without loading it (the checking process need not)."""
    if importlib.util.find_spec("cv2") is None or importlib.util.find_spec("numpy") is None:
        raise MissingDependency(
            "OpenCV for cleaning scans is missing: pip install opencv-python-headless numpy "
            "(make installs Bauakte's pinned versions)"
        )
