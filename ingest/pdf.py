"""inspect + extract + render for PDFs (pypdf to inspect, pypdfium2 to read and render)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from . import ocr
from .model import PageInfo, Rejected
from .render import PREVIEW_BOX, THUMB_BOX, fit_scale, jpeg

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are our "broken" verdicts

OCR_DPI = 300
MIN_TEXT_LETTERS = 20
ACTIVE_KEYS = {
    "/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
}  # fmt: skip
ACTIVE_ACTIONS = {
    "/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/GoToE",
    "/Rendition",
}  # fmt: skip
ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}
MAX_OBJECTS_SCANNED = 500_000


@dataclass
class PdfInspection:
    pages: int
    active_content: bool


def inspect_pdf(path: Path) -> PdfInspection:
    """Encrypted with a user password -> 'encrypted'; unreadable by both readers -> 'broken'."""
    active: bool | None = None
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Rejected("encrypted", "the PDF needs a password to open")
        active = has_active_content(reader)
    except Rejected:
        raise
    except LimitReachedError as exc:
        raise Rejected("resource limit", f"PDF structure exceeds limits: {exc}") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        active = None  # pypdf could not read it: let pdfium try
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Rejected("encrypted", "the PDF needs a password to open") from None
        raise Rejected("broken", "no PDF reader can open the file") from None
    try:
        pages = len(doc)
    finally:
        doc.close()
    if pages == 0:
        raise Rejected("broken", "the PDF has no pages")
    # Unscannable by pypdf but readable by pdfium: treat as active content, to be safe.
    return PdfInspection(pages=pages, active_content=True if active is None else active)


def has_active_content(reader: PdfReader) -> bool:
    """JavaScript, launch actions, embedded files, rich media or XFA anywhere in the object graph.

    The whole graph from the catalogue is walked (pages, annotations, form
    fields, ``/OpenAction`` and ``/AA`` actions, name trees), and a value
    given by reference is resolved before it is judged: ``/S 6 0 R`` with
    object 6 being ``/Launch`` is a launch action like ``/S /Launch``.
    """
    stack: list[object] = [reader.trailer.get("/Root")]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > MAX_OBJECTS_SCANNED:
                return True
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in dict.items(obj):
                if key in ACTIVE_KEYS:
                    return True
                if key in ("/S", "/Subtype"):
                    value = _resolved(value)
                if key == "/S" and value in ACTIVE_ACTIONS:
                    return True
                if key == "/Subtype" and value in ACTIVE_SUBTYPES:
                    return True
                if key != "/Parent" and not isinstance(value, NameObject):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return False


def _resolved(value: object, hops: int = 8) -> object:
    """Follow a chain of references to the object it names (bounded: a loop gives up)."""
    while isinstance(value, IndirectObject) and hops:
        value, hops = value.get_object(), hops - 1
    return value


def usable_text(text: str) -> bool:
    """A text layer worth keeping: enough letters, and mostly real characters."""
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    junk = text.count("\ufffd") + text.count("\ufffe")
    return letters >= MIN_TEXT_LETTERS and letters >= 0.5 * visible and junk < 0.05 * visible


@dataclass
class RenderedPage:
    info: PageInfo
    renditions: dict[str, bytes]
    words: dict[str, object] | None


def pdf_pages(path: Path, languages: str) -> Iterator[RenderedPage]:
    doc = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(doc)):
            page = doc[index]
            try:
                yield _page(page, index + 1, languages)
            finally:
                page.close()
    finally:
        doc.close()


def _page(page: pdfium.PdfPage, number: int, languages: str) -> RenderedPage:
    width_pt, height_pt = page.get_size()
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    text = text.replace("\r\n", "\n").replace("\x00", "")
    words = None
    confidence = None
    source = "pdf"
    if not usable_text(text):
        scale = min(OCR_DPI / 72, (ocr.MAX_OCR_PIXELS / max(width_pt * height_pt, 1)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil()
        result = ocr.recognise(image, languages, dpi=round(72 * scale))
        text, confidence = result.text, result.confidence
        words = ocr.words_json(result)
        source = "ocr" if text.strip() else "none"
    preview = page.render(scale=fit_scale(width_pt, height_pt, PREVIEW_BOX)).to_pil()
    thumb = page.render(scale=fit_scale(width_pt, height_pt, THUMB_BOX)).to_pil()
    info = PageInfo(
        number=number,
        width_px=round(width_pt),
        height_px=round(height_pt),
        dpi=72,
        text=text.strip(),
        text_source=source,
        ocr_confidence=confidence,
    )
    return RenderedPage(
        info, {"preview.jpg": jpeg(preview), "thumb.jpg": jpeg(thumb, quality=75)}, words
    )
