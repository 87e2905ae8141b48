"""extract + render for PDFs with pypdfium2 (``pdf_inspect`` checks them first)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

from . import ocr
from .model import Limits, NewPage, Rejected
from .ocr_read import read_page
from .pdf_words import pdf_words
from .render import PREVIEW_BOX, THUMB_BOX, fit_scale, jpeg
from .text_layer import better_text

PDFIUM = threading.RLock()
"""pdfium is not thread-safe: in a threaded process (the web server) every use of it holds
this lock; ingest's worker processes are single-threaded."""

OCR_DPI = 300
MIN_TEXT_LETTERS = 20


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Line ends and NULs evened out; lone surrogates (pypdf passes them through from a
    hostile /ToUnicode) removed, for they cannot be stored or indexed."""
    return _SURROGATES.sub("", text.replace("\r\n", "\n").replace("\x00", ""))


def usable_text(text: str) -> bool:
    """A text layer worth keeping: enough letters, and mostly real characters."""
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    junk = text.count("\ufffd") + text.count("\ufffe")
    return letters >= MIN_TEXT_LETTERS and letters >= 0.5 * visible and junk < 0.05 * visible


@dataclass
class RenderedPage:
    info: NewPage
    renditions: dict[str, bytes]
    words: dict[str, object] | None


def pdf_pages(path: Path, limits: Limits) -> Iterator[RenderedPage]:
    """Each page's text (the better text layer, else OCR) and renditions.

    pdfium's errors are the file's fault (``broken``); everything else that
    goes wrong here is Bauakte's and reaches the worker as it is.
    """
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise Rejected("broken", f"pdfium cannot open the file: {exc}") from None
    second = _SecondReader(path)
    try:
        for index in range(len(doc)):
            try:
                page = doc[index]
            except pdfium.PdfiumError as exc:
                raise Rejected("broken", f"page {index + 1} cannot be read: {exc}") from None
            try:
                yield _page(page, index + 1, limits, lambda i=index: second.text(i))
            except pdfium.PdfiumError as exc:
                raise Rejected("broken", f"page {index + 1} cannot be rendered: {exc}") from None
            finally:
                page.close()
    finally:
        doc.close()


class _SecondReader:
    """pypdf's reading of a page's text, opened only when a page asks for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader: PdfReader | None = None

    def text(self, index: int) -> str:
        try:
            if self.reader is None:
                self.reader = PdfReader(self.path)
                if self.reader.is_encrypted:
                    self.reader.decrypt("")
            return self.reader.pages[index].extract_text() or ""
        except MemoryError:
            raise
        except Exception:  # pypdf choking on the file: keep pdfium's reading
            return ""


def _page(
    page: pdfium.PdfPage, number: int, limits: Limits, second_text: Callable[[], str]
) -> RenderedPage:
    width_pt, height_pt = page.get_size()
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    text, _reader = better_text(_clean(text), lambda: _clean(second_text()))
    words = None
    confidence = None
    source = "pdf"
    if not usable_text(text):
        scale = min(OCR_DPI / 72, (ocr.MAX_OCR_PIXELS / max(width_pt * height_pt, 1)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil()
        result = read_page(
            image, limits.ocr_languages, fraktur=limits.ocr_fraktur_languages,
            dpi=round(72 * scale), timeout=limits.ocr_page_seconds,
        )  # fmt: skip
        text, confidence = result.text, result.confidence
        words = ocr.words_json(result)
        source = "ocr" if text.strip() else "none"
    else:
        words = pdf_words(page)
    info = NewPage(
        number=number,
        width_px=round(width_pt),
        height_px=round(height_pt),
        dpi=72,
        text=text.strip(),
        text_source=source,
        ocr_confidence=confidence,
    )
    return RenderedPage(info, page_renditions(page), words)


def page_renditions(page: pdfium.PdfPage) -> dict[str, bytes]:
    """The preview and the thumbnail of a PDF page, rendered at their own sizes."""
    width_pt, height_pt = page.get_size()
    preview = page.render(scale=fit_scale(width_pt, height_pt, PREVIEW_BOX)).to_pil()
    thumb = page.render(scale=fit_scale(width_pt, height_pt, THUMB_BOX)).to_pil()
    return {"preview.jpg": jpeg(preview), "thumb.jpg": jpeg(thumb, quality=75)}
