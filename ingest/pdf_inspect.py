"""inspect: what a PDF is before anything renders it (pypdf reads, pdfium confirms).

Encrypted with a user password -> ``encrypted``; unreadable by both readers
-> ``broken``; streams that inflate far beyond the file's size -> ``too large /
decompression bomb``; JavaScript, launch actions, attachments and the like
flag ``active content``.  pypdf walks the object graph without decoding
anything; the bomb check inflates each compressed stream in small chunks and
counts, so even a stream of gigabytes costs a few megabytes to measure.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError
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
RUN_LENGTH = {"/RunLengthDecode", "/RL"}
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
        except Exception as exc:  # what cannot be measured is not rendered on trust
            raise Rejected(
                BOMB, f"a compressed stream cannot be measured before rendering ({exc})"
            ) from None
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
    if not isinstance(width, int | float) or not isinstance(height, int | float):
        return  # pdfium draws no image without its size
    if abs(width) * abs(height) > limit:  # 30000.0 is as many pixels as 30000
        raise Rejected(
            BOMB, f"an image has {width:.0f} x {height:.0f} pixels, above the limit of {limit:,}"
        )


def _inflated_size(stream: StreamObject, budget: int) -> int:
    """Bytes the stream decodes to, counted up to ``budget`` without keeping them.

    Measured: the text encodings (they shrink), a run-length stage at the
    start, and any number of Flate stages.  Image codecs (DCT, JPX, CCITT,
    JBIG2) and LZW end the count (images are judged by their pixels); a
    Flate stage the count cannot reach (behind LZW, say) makes the stream
    unmeasurable, which no real PDF writer produces.
    """
    chain = [name for name in _filters_of(stream) if name is not None]
    names = list(chain)
    data = stream._data  # the raw (decrypted) bytes; get_data() would inflate
    while names and names[0] in TEXT_ENCODINGS:  # they shrink: decode in memory
        data = TEXT_ENCODINGS[names.pop(0)](data)
    chunks: Iterator[bytes] = iter([data])
    if names and names[0] in RUN_LENGTH:
        names.pop(0)
        chunks = _run_length(data)
    while names and names[0] in FLATE:
        names.pop(0)
        chunks = _inflate(chunks)
    if any(name in FLATE or name in RUN_LENGTH for name in names):
        raise ValueError(f"the filters {' '.join(map(str, chain))} hide a Flate stage")
    total = 0
    try:
        for chunk in chunks:
            total += len(chunk)
            if total > budget:
                break
    except zlib.error:
        pass  # corrupt data: pdfium stops where zlib stops
    return total


def _filters_of(stream: StreamObject) -> list[object]:
    """The stream's filter names in order, references resolved."""
    filters = _resolved(stream.get("/Filter"))
    return [_resolved(f) for f in filters] if isinstance(filters, ArrayObject) else [filters]


def _hex(data: bytes) -> bytes:
    """ASCIIHexDecode as pdfium reads it: up to '>', anything but hex digits ignored."""
    digits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
    return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _ascii85(data: bytes) -> bytes:
    body = re.sub(rb"\s", b"", data).removeprefix(b"<~").split(b"~>", 1)[0]
    return base64.a85decode(body)


TEXT_ENCODINGS = {
    "/ASCIIHexDecode": _hex,
    "/AHx": _hex,
    "/ASCII85Decode": _ascii85,
    "/A85": _ascii85,
}


def _run_length(data: bytes) -> Iterator[bytes]:
    """RunLengthDecode piece by piece: a run of up to 128 bytes per two input bytes."""
    at = 0
    while at < len(data):
        length = data[at]
        if length == 128:
            return
        if length < 128:
            yield data[at + 1 : at + 2 + length]
            at += 2 + length
        else:
            yield data[at + 1 : at + 2] * (257 - length)
            at += 2


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
