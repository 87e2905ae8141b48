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
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader, PdfWriter

from docstore.services.extract_jobs import Job, JobPage
from storage import ObjectStore

from . import stamp as stamps
from .blackout import black_out_picture
from .fonts import FONT, require_fonts
from .images import check_pixels, decode_frame, open_image, reading
from .originals import local_copy
from .pdf import PDFIUM
from .pdf_raster import raster_dpi
from .render import jpeg

if TYPE_CHECKING:
    from fpdf import FPDF

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
    pdf = _new_pdf()
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_creator("Bauakte")
    pdf.set_title(f"Auszug {job.stamp.number} aus der Bauakte {job.stamp.aktenzeichen}")
    total = len(job.pages)
    for position, (page, image) in enumerate(_rendered(store, job.pages, quality), 1):
        text = stamps.text_of(job.stamp, position, total)
        picture = stamps.stamped(image, text)
        band = stamps.band_height(picture.width)
        width, height = page.width_pt, page.width_pt * picture.height / picture.width
        pdf.add_page(format=(width, height))
        pdf.image(io.BytesIO(jpeg(picture, JPEG_QUALITY)), x=0, y=0, w=width, h=height)
        _invisible(pdf, text, width, height, band * width / picture.width)
    pdf.output(str(out))
    return total


def _invisible(pdf: FPDF, text: stamps.StampText, width: float, height: float, band: float) -> None:
    """The band's words as text over the band, invisible: copied and searched, not seen."""
    from fpdf.enums import TextMode

    pdf.text_mode = TextMode.INVISIBLE
    size = max(3.0, band * 0.22)
    top = height - band + band / 12 + size
    pdf.set_font("DejaVu", size=size)
    pdf.text(size, top, f"{text.heading} {text.page}")
    for n, line in enumerate(text.lines, 1):
        pdf.set_font("DejaVu", size=size)
        fitted = min(size, size * (width - 2 * size) / max(pdf.get_string_width(line), 1))
        pdf.set_font("DejaVu", size=max(2.0, fitted))
        pdf.text(size, top + n * size * 1.25, line)
    pdf.text_mode = TextMode.FILL


def write_flattened(
    store: ObjectStore, pages: tuple[JobPage, ...], out: Path, quality: Quality
) -> int:
    """A redacted document as an external user downloads it: every page an image with its
    regions blacked out, no text layer, nothing of the original's content but the
    pixels (never the original with boxes drawn over it)."""
    pdf = _new_pdf()
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("Bauakte")
    for page, image in _rendered(store, pages, quality):
        height = page.width_pt * image.height / image.width
        pdf.add_page(format=(page.width_pt, height))
        pdf.image(io.BytesIO(jpeg(image, JPEG_QUALITY)), x=0, y=0, w=page.width_pt, h=height)
    pdf.output(str(out))
    return len(pages)


def _rendered(
    store: ObjectStore, pages: tuple[JobPage, ...], quality: Quality
) -> Iterator[tuple[JobPage, Image.Image]]:
    """Each page as a picture, its redacted regions blacked out."""
    for sha256, run in groupby(pages, key=lambda p: p.sha256):
        run = list(run)
        with local_copy(store, sha256) as path:
            if run[0].mime_type == "application/pdf":
                rendered = _pdf_pages(path, run, quality)
            else:
                rendered = ((page, image, 1.0) for page, image in _image_pages(path, run, quality))
            for page, image, source_scale in rendered:
                yield page, black_out_picture(image, page.regions, source_scale)


def _scale(width_pt: float, height_pt: float, quality: Quality) -> float:
    """Pixels per point: the extract's resolution, less when the page and its stamp's band
    would get too big (the band's height grows with the width, so a long strip counts)."""
    scale = quality.dpi / 72
    area = max(width_pt * (height_pt + width_pt * stamps.BAND_SHARE), 1.0)
    return min(scale, (quality.max_pixels / area) ** 0.5)


def _pdf_pages(
    path: Path, pages: list[JobPage], quality: Quality
) -> Iterator[tuple[JobPage, Image.Image, float]]:
    """Each page rendered, with its pixels to one of its coarsest picture's (for the reach
    of a redaction: ``ingest.blackout``).  pdfium under its lock: a flattened copy is made
    in a web worker's thread, beside the tiles of the others."""
    with PDFIUM:
        doc = pdfium.PdfDocument(str(path))
    try:
        for page in pages:
            with PDFIUM:
                source = doc[page.number - 1]
                try:
                    width, height = source.get_size()
                    scale = _scale(width, height, quality)
                    bitmap = source.render(scale=scale, may_draw_forms=True)
                    image = bitmap.to_pil()
                    dpi = raster_dpi(source) if page.regions else None
                finally:
                    source.close()
            yield page, image, (scale * 72 / dpi if dpi else 1.0)
    finally:
        with PDFIUM:
            doc.close()


def _frames(path: Path, pages: list[JobPage], limit: int) -> Iterator[tuple[JobPage, Image.Image]]:
    """The scan's frames of ``pages``, each checked against the pixel limit before decoding."""
    with open_image(path, limit) as original:
        for page in pages:
            with reading(f"page {page.number} cannot be decoded"):
                original.seek(page.number - 1)
                check_pixels(original.size, limit, page.number)
                yield page, original


def _image_pages(
    path: Path, pages: list[JobPage], quality: Quality
) -> Iterator[tuple[JobPage, Image.Image]]:
    for page, original in _frames(path, pages, quality.image_limit):
        with reading(f"page {page.number} cannot be decoded"):
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
    for sha256, run in groupby(job.pages, key=lambda p: p.sha256):
        run = list(run)
        scan = run[0].mime_type != "application/pdf"
        with local_copy(store, sha256) as path:
            data = _scans_pdf(path, run, quality) if scan else path.read_bytes()
        reader = PdfReader(io.BytesIO(data))
        for index, page in enumerate(run):  # a scan's PDF holds just the pages asked for
            writer.add_page(reader.pages[index if scan else page.number - 1])
    writer.add_metadata({"/Creator": "Bauakte"})
    with out.open("wb") as target:
        writer.write(target)
    return len(job.pages)


def _scans_pdf(path: Path, pages: list[JobPage], quality: Quality) -> bytes:
    pdf = _new_pdf()
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    for page, original in _frames(path, pages, quality.image_limit):
        with reading(f"page {page.number} cannot be decoded"):
            frame = original.copy() if original.mode in ("1", "L", "RGB") else (
                original.convert("RGB"))  # fmt: skip
        pdf.add_page(format=(page.width_pt, page.height_pt))
        pdf.image(frame, x=0, y=0, w=page.width_pt, h=page.height_pt)
    return bytes(pdf.output())


def _new_pdf() -> FPDF:
    """fpdf2 is imported by the process that writes an extract, not by every web worker."""
    from fpdf import FPDF

    return FPDF(unit="pt")
