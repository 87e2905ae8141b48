"""Where a page's pixels come from when an IIIF client asks for a region of it.

- a **pyramid** (tiled JPEG TIFF made at ingest for pages larger than their
  preview): the level just large enough for the requested size is read,
  a few tiles of it;
- the **preview** (pages no larger than it, and large pages whose pyramid
  ``bauakte pyramids`` has not made yet): cut and scaled in memory;
- a **PDF page**: pdfium renders exactly the region at the resolution asked
  for, so lines and letters of a born-digital plan stay sharp at every zoom.

Each source is a full image of ``size`` pixels; :meth:`cut` returns the
region scaled to the output size as a libvips image.
"""

from __future__ import annotations

import atexit
import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pypdfium2 as pdfium

from ingest.pdf import PDFIUM
from ingest.pdf_raster import raster_dpi
from ingest.vips import probe

PDF_DPI = 400
"""The resolution of a PDF page's deepest zoom: 0.06 mm per pixel, four times what a
screen shows of a printed page at 100 %."""


class PageSource(Protocol):
    size: tuple[int, int]
    tag: str
    """Names the pixels (with the original's hash): part of the ETag."""

    def cut(self, region: tuple[int, int, int, int], size: tuple[int, int]): ...


def exact(image, width: int, height: int):  # pyvips.Image -> pyvips.Image
    """``image`` scaled to exactly width x height (libvips may round a pixel either way)."""
    if image.width != width or image.height != height:
        image = image.resize(width / image.width, vscale=height / image.height)
    if image.width != width or image.height != height:
        image = image.embed(0, 0, width, height, extend="copy")
    return image


MIN_RENDER = 16
"""Pixels a side, at least, that a PDF region is rendered at before it is scaled."""


@dataclass
class PyramidSource:
    path: Path
    size: tuple[int, int]
    tag: str = "pyramid"

    @classmethod
    def open(cls, path: Path) -> PyramidSource:
        image = probe().Image.new_from_file(str(path))
        return cls(path, (image.width, image.height))

    def cut(self, region: tuple[int, int, int, int], size: tuple[int, int]):
        vips = probe()
        x, y, w, h = region
        levels = vips.Image.new_from_file(str(self.path)).get_n_pages()
        # the smallest level that still has at least the pixels asked for, in both directions
        # (a request stretched one way must not be cut from a level too coarse for it)
        ratio = min(w / size[0], h / size[1])
        level = max(0, min(levels - 1, math.floor(math.log2(max(ratio, 1.0)))))
        image = vips.Image.new_from_file(str(self.path), page=level)
        factor = self.size[0] / image.width
        left, top = math.floor(x / factor), math.floor(y / factor)
        right = min(image.width, math.ceil((x + w) / factor))
        bottom = min(image.height, math.ceil((y + h) / factor))
        part = image.crop(left, top, max(1, right - left), max(1, bottom - top))
        return exact(part, *size)


@dataclass
class PreviewSource:
    data: bytes
    size: tuple[int, int]
    tag: str = "preview"

    @classmethod
    def of(cls, data: bytes) -> PreviewSource:
        image = probe().Image.new_from_buffer(data, "")
        return cls(data, (image.width, image.height))

    def cut(self, region: tuple[int, int, int, int], size: tuple[int, int]):
        image = probe().Image.new_from_buffer(self.data, "")
        return exact(image.crop(*region), *size)


class _OpenPdfs:
    """The last few PDF pages opened, kept open: pdfium keeps a page's decoded images, so
    the second tile of a scanned page costs a millisecond instead of twenty."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._pages: OrderedDict[tuple[str, int], tuple[pdfium.PdfDocument, pdfium.PdfPage]] = (
            OrderedDict()
        )
        self._dpi: dict[tuple[str, int], float | None] = {}

    def page(self, path: Path, number: int) -> pdfium.PdfPage:
        """Call with :data:`PDFIUM` held."""
        key = (str(path), number)
        if key in self._pages:
            self._pages.move_to_end(key)
            return self._pages[key][1]
        doc = pdfium.PdfDocument(str(path))
        try:
            page = doc[number - 1]
        except BaseException:
            doc.close()
            raise
        self._pages[key] = (doc, page)
        while len(self._pages) > self.keep:
            _, (old_doc, old_page) = self._pages.popitem(last=False)
            old_page.close()
            old_doc.close()
        return page

    def raster_dpi(self, path: Path, number: int) -> float | None:
        """Call with :data:`PDFIUM` held; looked up once per page kept open."""
        key = (str(path), number)
        if key not in self._dpi:
            self._dpi[key] = raster_dpi(self.page(path, number))
            while len(self._dpi) > 64 * self.keep:
                self._dpi.pop(next(iter(self._dpi)))
        return self._dpi[key]

    def close(self) -> None:
        with PDFIUM:
            while self._pages:
                _, (doc, page) = self._pages.popitem()
                page.close()
                doc.close()


_open_pdfs = _OpenPdfs()
atexit.register(_open_pdfs.close)


@dataclass
class PdfSource:
    path: Path
    number: int
    size: tuple[int, int]
    points: tuple[float, float]
    tag: str = "pdf"

    @classmethod
    def open(cls, path: Path, number: int) -> PdfSource:
        with PDFIUM:
            width_pt, height_pt = _open_pdfs.page(path, number).get_size()
        size = (max(1, round(width_pt * PDF_DPI / 72)), max(1, round(height_pt * PDF_DPI / 72)))
        return cls(path, number, size, (width_pt, height_pt))

    @property
    def raster_dpi(self) -> float | None:
        """The coarsest scan on the page, None for a page of text and vectors (looked up
        only where a region is redacted: it walks every object of the page)."""
        with PDFIUM:
            return _open_pdfs.raster_dpi(self.path, self.number)

    @property
    def source_px(self) -> float | None:
        """The page's pixels here to one pixel of its coarsest scan."""
        dpi = self.raster_dpi
        return PDF_DPI / dpi if dpi else None

    def cut(self, region: tuple[int, int, int, int], size: tuple[int, int]):
        x, y, w, h = region
        width_pt, height_pt = self.points
        per_pixel = width_pt / self.size[0]
        crop = (
            x * per_pixel,
            height_pt - (y + h) * per_pixel,
            width_pt - (x + w) * per_pixel,
            y * per_pixel,
        )
        # the larger of the two scales, and at least MIN_RENDER pixels a side: a region asked
        # for at a tiny size must not round to nothing in pdfium's crop (exact() brings it
        # to the size asked)
        scale = max(size[0] / (w * per_pixel), size[1] / (h * per_pixel),
                    MIN_RENDER / (w * per_pixel), MIN_RENDER / (h * per_pixel))  # fmt: skip
        with PDFIUM:
            page = _open_pdfs.page(self.path, self.number)
            bitmap = page.render(scale=scale, crop=tuple(max(0.0, c) for c in crop))
            image = bitmap.to_pil()
            bitmap.close()
        vips = probe()
        pixels = vips.Image.new_from_memory(
            image.convert("RGB").tobytes(), image.width, image.height, 3, "uchar"
        )
        out = exact(pixels, *size)
        # a resized copy is evaluated while ``pixels`` and the bytes it holds still live
        return pixels if out is pixels else out.copy_memory()
