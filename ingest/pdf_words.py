"""The words of a PDF page's text layer with their boxes, for hits drawn on the page image.

The same derived JSON as the OCR word boxes (``ingest.ocr.words_json``):
relative boxes, top-left origin, so the viewer scales them to any rendition.
pdfium gives each character its box in the page's own points (origin bottom
left, before the page's rotation, with its media box wherever it lies); they
are placed on the page as it is rendered (its crop box, turned by its
/Rotate), or a redaction drawn on the image would miss the word it covers.  The
characters of one word (letters, digits and the joiners - / . inside a word,
as the search's tokens) are united.  Characters pdfium generates (spaces,
line ends it infers) end a word.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

CONFIDENCE = 100.0
"""A text layer is read, not recognised."""
JOINERS = frozenset("-/.")
VERSION = 2
"""1 placed boxes as if every page were unrotated with its media box at 0, 0."""


def pdf_words(page: pdfium.PdfPage) -> dict[str, object]:
    """Call with ``ingest.pdf.PDFIUM`` held in a threaded process, as every pdfium call."""
    place = _placer(page)
    textpage = page.get_textpage()
    try:
        words = list(_words(textpage, place))
    finally:
        textpage.close()
    return {
        "version": VERSION,
        "source": "pdf",
        "words": words,
        "fields": ["text", "left", "top", "width", "height", "confidence"],
    }


def _placer(page: pdfium.PdfPage):
    """(left, bottom, right, top) in page points -> (left, top, width, height) as fractions
    of the rendered page."""
    crop_left, crop_bottom, crop_right, crop_top = page.get_bbox()  # inherited boxes too
    width, height = max(crop_right - crop_left, 1e-6), max(crop_top - crop_bottom, 1e-6)
    turn = page.get_rotation() % 360

    def place(left: float, bottom: float, right: float, top: float):
        x0, x1 = (left - crop_left) / width, (right - crop_left) / width
        y0, y1 = (crop_top - top) / height, (crop_top - bottom) / height
        if turn == 90:  # clockwise: the left edge becomes the top
            x0, x1, y0, y1 = 1 - y1, 1 - y0, x0, x1
        elif turn == 180:
            x0, x1, y0, y1 = 1 - x1, 1 - x0, 1 - y1, 1 - y0
        elif turn == 270:
            x0, x1, y0, y1 = y0, y1, 1 - x1, 1 - x0
        x0, y0 = min(max(x0, 0.0), 1.0), min(max(y0, 0.0), 1.0)
        x1, y1 = min(max(x1, x0), 1.0), min(max(y1, y0), 1.0)
        return round(x0, 5), round(y0, 5), round(x1 - x0, 5), round(y1 - y0, 5)

    return place


def _words(textpage: pdfium.PdfTextPage, place):
    chars: list[str] = []
    box: list[float] = []

    def flush():
        if chars:
            text = "".join(chars).strip("-/.")
            if text:
                yield [text, *place(*box), CONFIDENCE]
        chars.clear()
        box.clear()

    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        char = chr(code) if 0 < code < 0x110000 else ""
        generated = pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1
        if generated or not is_word_char(char):
            yield from flush()
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        if right <= left or top <= bottom:
            continue  # a zero-size glyph: part of no visible word
        if box:
            box[:] = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
        else:
            box[:] = [left, bottom, right, top]
        chars.append(char)
    yield from flush()


def is_word_char(char: str) -> bool:
    """As the search's tokeniser sees words: ``\\w`` and the joiners inside a token."""
    return bool(char) and (char.isalnum() or char == "_" or char in JOINERS)
