"""The words of a PDF page's text layer with their boxes, for hits drawn on the page image.

The same derived JSON as the OCR word boxes (``ingest.ocr.words_json``):
relative boxes, top-left origin, so the viewer scales them to any rendition.
pdfium gives each character its box in points (origin bottom left); the
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


def pdf_words(page: pdfium.PdfPage) -> dict[str, object]:
    """Call with ``ingest.pdf.PDFIUM`` held in a threaded process, as every pdfium call."""
    width_pt, height_pt = page.get_size()
    textpage = page.get_textpage()
    try:
        words = list(_words(textpage, width_pt, height_pt))
    finally:
        textpage.close()
    return {
        "version": 1,
        "words": words,
        "fields": ["text", "left", "top", "width", "height", "confidence"],
    }


def _words(textpage: pdfium.PdfTextPage, width_pt: float, height_pt: float):
    chars: list[str] = []
    box: list[float] = []

    def flush():
        if chars:
            text = "".join(chars).strip("-/.")
            if text:
                left, bottom, right, top = box
                yield [text, round(left / width_pt, 5), round((height_pt - top) / height_pt, 5),
                       round((right - left) / width_pt, 5), round((top - bottom) / height_pt, 5),
                       CONFIDENCE]  # fmt: skip
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
