"""inspect: what a PDF is before anything renders it (pypdf reads, pdfium confirms).

Encrypted with a user password -> ``encrypted``; unreadable by both readers
-> ``broken``; streams that inflate far beyond the file's size -> ``too large /
decompression bomb``; JavaScript, launch actions, attachments and the like
flag ``active content``.  pypdf walks the object graph without decoding
anything; the bomb check inflates each compressed stream in small chunks and
counts, so even a stream of gigabytes costs a few megabytes to measure.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from .model import Limits, Rejected

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are our "broken" verdicts

ACTIVE_KEYS = {
    "/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
}  # fmt: skip
ACTIVE_ACTIONS = {
    "/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/GoToE",
    "/Rendition",
}  # fmt: skip
ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}
MAX_OBJECTS_SCANNED = 500_000
FLATE = {"/FlateDecode", "/Fl"}
TEXT_ENCODINGS = {"/ASCIIHexDecode": ASCIIHexDecode, "/AHx": ASCIIHexDecode,
                  "/ASCII85Decode": ASCII85Decode, "/A85": ASCII85Decode}  # fmt: skip
INFLATE_CHUNK = 1 << 20
BOMB = "too large / decompression bomb"


@dataclass
class PdfInspection:
    pages: int
    active_content: bool


def inspect_pdf(path: Path, limits: Limits | None = None) -> PdfInspection:
    limits = limits or Limits()
    objects: list[object] = []
    complete = False
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Rejected("encrypted", "the PDF needs a password to open")
        complete = _walk(reader, objects)
    except (Rejected, MemoryError):
        raise
    except LimitReachedError as exc:
        raise Rejected("resource limit", f"PDF structure exceeds limits: {exc}") from None
    except Exception:  # pypdf choking on a hostile file: judge what it read, let pdfium try
        complete = False
    _check_inflation(objects, path.stat().st_size, limits)
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
    # What pypdf could not read in full counts as active content, to be safe.
    return PdfInspection(pages=pages, active_content=not complete or any(map(_is_active, objects)))


def _walk(reader: PdfReader, found: list[object]) -> bool:
    """Collect every dictionary, array and stream reachable from the catalogue, each once;
    True when the walk saw the whole graph.

    A value given by reference is resolved before it is judged; an object
    that cannot be read, or more than ``MAX_OBJECTS_SCANNED`` of them, make the
    walk incomplete (``found`` keeps what was read, for the bomb check).
    """
    stack: list[object] = [reader.trailer.get("/Root")]
    seen: set[tuple[int, int]] = set()
    complete = True
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > MAX_OBJECTS_SCANNED:
                return False
            try:
                obj = obj.get_object()
            except (LimitReachedError, MemoryError):
                raise
            except Exception:
                complete = False
                continue
        if isinstance(obj, DictionaryObject):
            found.append(obj)
            stack.extend(
                value
                for key, value in dict.items(obj)
                if key != "/Parent" and not isinstance(value, NameObject)
            )
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return complete


def _is_active(obj: object) -> bool:
    """JavaScript, launch actions, embedded files, rich media or XFA (found anywhere:
    pages, annotations, form fields, ``/OpenAction`` and ``/AA`` actions, name trees)."""
    if not isinstance(obj, DictionaryObject):
        return False
    if any(key in ACTIVE_KEYS for key in obj):
        return True
    # /S 6 0 R with object 6 being /Launch is a launch action like /S /Launch
    action = _resolved(dict.get(obj, "/S"))
    subtype = _resolved(dict.get(obj, "/Subtype"))
    return action in ACTIVE_ACTIONS or subtype in ACTIVE_SUBTYPES


def _resolved(value: object, hops: int = 8) -> object:
    """Follow a chain of references to the object it names (bounded: a loop gives up)."""
    while isinstance(value, IndirectObject) and hops:
        value, hops = value.get_object(), hops - 1
    return value


def _check_inflation(objects: list[object], file_size: int, limits: Limits) -> None:
    """Reject a file whose streams inflate past both the size floor and the ratio.

    Images are judged by their pixel count, as a TIFF's are; every stream
    (content, fonts, images) adds what it inflates to.  Counting stops as soon
    as the budget is exceeded.
    """
    budget = max(limits.inflation_min_bytes, limits.inflation_max_ratio * file_size)
    total = 0
    for obj in objects:
        if not isinstance(obj, StreamObject):
            continue
        try:
            if _resolved(obj.get("/Subtype")) == "/Image":
                _check_image_pixels(obj, limits.image_max_pixels)
            total += _inflated_size(obj, budget - total + 1)
        except (Rejected, MemoryError):
            raise
        except Exception:  # a stream pypdf cannot describe: pdfium will not draw it either
            continue
        if total > budget:
            raise Rejected(
                BOMB,
                f"its streams inflate to more than {_megabytes(budget)}, over "
                f"{limits.inflation_max_ratio} times the file's {_megabytes(file_size)}",
            )


def _megabytes(size: int) -> str:
    if size >= 10**7:
        return f"{size / 1e6:,.0f} MB"
    return f"{size / 1e6:.1f} MB" if size >= 10**6 else f"{size / 1e3:.1f} kB"


def _check_image_pixels(image: StreamObject, limit: int) -> None:
    width, height = _resolved(image.get("/Width", 0)), _resolved(image.get("/Height", 0))
    if isinstance(width, int) and isinstance(height, int) and width * height > limit:
        raise Rejected(
            BOMB, f"an image has {width} x {height} pixels, above the limit of {limit:,}"
        )


def _inflated_size(stream: StreamObject, budget: int) -> int:
    """Bytes the stream decodes to through its Flate stages (and the text encodings
    in front of them), counted up to ``budget``; other filters end the count."""
    filters = _resolved(stream.get("/Filter"))
    names = [_resolved(f) for f in filters] if isinstance(filters, ArrayObject) else [filters]
    data = stream._data  # the raw (decrypted) bytes; get_data() would inflate
    while names and names[0] in TEXT_ENCODINGS:  # they shrink: decode in memory
        data = TEXT_ENCODINGS[names.pop(0)].decode(data)
    chunks: Iterator[bytes] = iter([data])
    while names and names[0] in FLATE:
        names.pop(0)
        chunks = _inflate(chunks)
    total = 0
    try:
        for chunk in chunks:
            total += len(chunk)
            if total > budget:
                break
    except zlib.error:
        pass  # corrupt data: pdfium stops where zlib stops
    return total


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Flate-decode a stream of chunks, never more than ``INFLATE_CHUNK`` at a time."""
    inflater = zlib.decompressobj()
    for chunk in chunks:
        pending = chunk
        while pending and not inflater.eof:
            yield inflater.decompress(pending, INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
        if inflater.eof:
            return
