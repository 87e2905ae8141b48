"""The PDF of an extract: stamped pages as images with the stamp burnt in, or, for staff,
the pages copied as they are.

A stamped page is rendered from the original (pdfium for a PDF page, Pillow
for a scan) at ``extract_dpi``, never above ``extract_max_megapixels``, so a
plan stays readable and a 300-page order stays in memory bounds.  An
unstamped page of a PDF is the original page itself (text, vectors and all);
a scan is embedded without loss.  Each original is read from the store once
per run of consecutive pages from it.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import pypdfium2 as pdfium
from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image
from pypdf import PdfReader, PdfWriter

from docstore.services.extract_jobs import Job, JobPage
from storage import ObjectStore, original_key

from . import stamp as stamps
from .demo.render import FONT, require_fonts
from .images import check_pixels, decode_frame, open_image, reading
from .render import jpeg

JPEG_QUALITY = 85


@dataclass(frozen=True)
class Quality:
    dpi: int = 150
    max_pixels: int = 24_000_000
    image_limit: int = 300_000_000
    """The instance's ``image_max_pixels``: an original is never decoded above it."""


def write(store: ObjectStore, job: Job, out: Path, quality: Quality) -> int:
    """Write the extract of ``job`` to ``out``; returns the number of pages."""
    if job.stamp is None:
        return _write_copies(store, job, out, quality)
    return _write_stamped(store, job, out, quality)


def _write_stamped(store: ObjectStore, job: Job, out: Path, quality: Quality) -> int:
    require_fonts()
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_creator("Bauakte")
    pdf.set_title(f"Auszug {job.stamp.number} aus der Bauakte {job.stamp.aktenzeichen}")
    total = len(job.pages)
    for position, (page, image) in enumerate(_rendered(store, job.pages, quality), 1):
        text = stamps.text_of(job.stamp, position, total)
        picture = stamps.stamped(image, text)
        band = picture.height - image.height
        width, height = page.width_pt, page.width_pt * picture.height / picture.width
        pdf.add_page(format=(width, height))
        pdf.image(io.BytesIO(jpeg(picture, JPEG_QUALITY)), x=0, y=0, w=width, h=height)
        _invisible(pdf, text, width, height, band * width / picture.width)
    pdf.output(str(out))
    return total


def _invisible(pdf: FPDF, text: stamps.StampText, width: float, height: float, band: float) -> None:
    """The band's words as text over the band, invisible: copied and searched, not seen."""
    pdf.text_mode = TextMode.INVISIBLE
    size = max(4.0, band * 0.3)
    pdf.set_font("DejaVu", size=size)
    top = height - band
    pdf.text(size, top + band * 0.1 + size, f"{text.heading} {text.page}")
    line_size = min(size, max(3.0, size * (width - 2 * size) / max(pdf.get_string_width(
        text.line), 1)))  # fmt: skip
    pdf.set_font("DejaVu", size=line_size)
    pdf.text(size, top + band * 0.1 + size * 2.3, text.line)
    pdf.text_mode = TextMode.FILL


def _rendered(
    store: ObjectStore, pages: tuple[JobPage, ...], quality: Quality
) -> Iterator[tuple[JobPage, Image.Image]]:
    for sha256, run in groupby(pages, key=lambda p: p.sha256):
        run = list(run)
        with _original(store, sha256) as path:
            if run[0].mime_type == "application/pdf":
                yield from _pdf_pages(path, run, quality)
            else:
                yield from _image_pages(path, run, quality)


class _original:
    """The original, copied from the store into a temporary file for the time it is read."""

    def __init__(self, store: ObjectStore, sha256: str) -> None:
        self.store, self.sha256 = store, sha256

    def __enter__(self) -> Path:
        self.tmp = tempfile.TemporaryDirectory(prefix="bauakte-extract-")
        path = Path(self.tmp.name) / "original"
        with self.store.open(original_key(self.sha256)) as source, path.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        return path

    def __exit__(self, *exc) -> None:
        self.tmp.cleanup()


def _scale(width_pt: float, height_pt: float, quality: Quality) -> float:
    """Pixels per point: the extract's resolution, less when the page would get too big."""
    scale = quality.dpi / 72
    area = max(width_pt * height_pt, 1.0)
    return min(scale, (quality.max_pixels / area) ** 0.5)


def _pdf_pages(
    path: Path, pages: list[JobPage], quality: Quality
) -> Iterator[tuple[JobPage, Image.Image]]:
    doc = pdfium.PdfDocument(str(path))
    try:
        for page in pages:
            source = doc[page.number - 1]
            try:
                width, height = source.get_size()
                bitmap = source.render(scale=_scale(width, height, quality), may_draw_forms=True)
                image = bitmap.to_pil()
            finally:
                source.close()
            yield page, image
    finally:
        doc.close()


def _image_pages(
    path: Path, pages: list[JobPage], quality: Quality
) -> Iterator[tuple[JobPage, Image.Image]]:
    with open_image(path, quality.image_limit) as original:
        for page in pages:
            with reading(f"page {page.number} cannot be decoded"):
                original.seek(page.number - 1)
                check_pixels(original.size, quality.image_limit, page.number)
                frame = decode_frame(original)
            yield page, _resized(frame, page, quality)


def _resized(frame: Image.Image, page: JobPage, quality: Quality) -> Image.Image:
    """A scan brought down to the extract's resolution (never up)."""
    scale = _scale(page.width_pt, page.height_pt, quality)
    width = max(1, round(page.width_pt * scale))
    if frame.width <= width * 1.05:
        return frame
    height = max(1, round(frame.height * width / frame.width))
    return frame.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _write_copies(store: ObjectStore, job: Job, out: Path, quality: Quality) -> int:
    """Staff's unstamped extract: PDF pages as they are, scans embedded without loss."""
    writer = PdfWriter()
    readers = []
    with tempfile.TemporaryDirectory(prefix="bauakte-extract-") as tmp:
        for index, (sha256, run) in enumerate(groupby(job.pages, key=lambda p: p.sha256)):
            run = list(run)
            path = Path(tmp) / f"{index}.orig"
            with store.open(original_key(sha256)) as source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            if run[0].mime_type == "application/pdf":
                reader = PdfReader(path)
                readers.append(reader)
                for page in run:
                    writer.add_page(reader.pages[page.number - 1])
            else:
                scans = PdfReader(io.BytesIO(_scans_pdf(path, run, quality)))
                for page in scans.pages:
                    writer.add_page(page)
        writer.add_metadata({"/Creator": "Bauakte"})
        with out.open("wb") as target:
            writer.write(target)
    return len(job.pages)


def _scans_pdf(path: Path, pages: list[JobPage], quality: Quality) -> bytes:
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    with open_image(path, quality.image_limit) as original:
        for page in pages:
            with reading(f"page {page.number} cannot be decoded"):
                original.seek(page.number - 1)
                check_pixels(original.size, quality.image_limit, page.number)
                frame = original.copy() if original.mode in ("1", "L", "RGB") else (
                    original.convert("RGB"))  # fmt: skip
            pdf.add_page(format=(page.width_pt, page.height_pt))
            pdf.image(frame, x=0, y=0, w=page.width_pt, h=page.height_pt)
    return bytes(pdf.output())
