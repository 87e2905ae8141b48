"""The words of a page with their boxes (relative, top-left origin), and which of them a
search matched: the hit boxes drawn on the page image and served as IIIF Content Search.

Scanned pages keep the OCR's word boxes from ingest; text PDFs keep pdfium's
(``ingest.pdf_words``).  A PDF stored before those were kept gets them made
from its original on first use and stored beside its other renditions.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass

import pypdfium2 as pdfium

from indexer.results import Wanted
from ingest.pdf import PDFIUM
from ingest.pdf_words import VERSION, pdf_words
from ingest.process import page_prefix
from storage import ObjectStore, StorageError, derived_key, original_key
from viewer.iiif.local_files import LocalFiles

MAX_WORDS = 20_000
"""A page with more words than this (a table of numbers) shows its first hits only."""


def _misplaced(kept: dict, mime_type: str) -> bool:
    """A PDF text layer's boxes kept by version 1 (all read, none recognised: confidence
    100): placed as if the page were unrotated and uncropped, so made again.  An OCR's
    boxes of a scanned PDF are never all 100 (and made again they would be none: no word
    of such a page then shows a hit, and a redaction on it withholds all its text)."""
    if mime_type != "application/pdf" or kept.get("version", 1) >= VERSION:
        return False
    return all(word[5] == 100.0 for word in kept["words"])


@dataclass(frozen=True)
class HitBox:
    text: str
    box: tuple[float, float, float, float]
    """left, top, width, height as fractions of the page."""


def hit_boxes(words: list[list], wanted: Wanted | None) -> list[HitBox]:
    if not wanted:
        return []
    return [
        HitBox(w[0], (w[1], w[2], w[3], w[4])) for w in words[:MAX_WORDS] if wanted.matches(w[0])
    ]


def page_words(
    store: ObjectStore, files: LocalFiles, sha256: str, mime_type: str, number: int
) -> list[list]:
    """[text, left, top, width, height, confidence] of each word on the page."""
    key = derived_key(sha256, f"{page_prefix(number)}/words.json")
    try:
        kept = json.loads(store.read_bytes(key))
    except FileNotFoundError:
        pass
    else:
        if not _misplaced(kept, mime_type):
            return kept["words"]
    if mime_type != "application/pdf":
        return []  # a scan without OCR boxes (nothing was read on it)
    path = files.path(store, original_key(sha256))
    with PDFIUM:
        document = pdfium.PdfDocument(str(path))
        try:
            made = pdf_words(document[number - 1])
        finally:
            document.close()
    with contextlib.suppress(StorageError):  # a cache: serve it anyway
        store.put_stream(key, io.BytesIO(json.dumps(made, ensure_ascii=False).encode()))
    return made["words"]
