"""The resolution of the pictures on a PDF page: how coarse its scanned content is.

A redaction's black must reach as far as a region's content is spread, and a
scanned PDF spreads it in the blocks of its own embedded JPEG, at the
scanner's resolution; rendered at a higher one, a block covers more output
pixels than the margin meant for the output's own blocks (``ingest.blackout``).
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MIN_PIXELS = 64
"""A picture smaller than this a side is a fill, a rule or a logo stretched over the page,
not a scan: it holds nothing a region could hide."""
MIN_DPI = 50.0
"""No scan is read coarser than this; a lower figure is a picture stretched, not scanned."""


def raster_dpi(page: pdfium.PdfPage) -> float | None:
    """The lowest resolution of the scans drawn on the page; None for a page without any.

    Call with ``ingest.pdf.PDFIUM`` held, as every pdfium call.
    """
    lowest: float | None = None
    for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
        try:
            meta = image.get_metadata()
        except pdfium.PdfiumError:
            continue
        if min(meta.width, meta.height) < MIN_PIXELS:
            continue
        dpi = max(min(meta.horizontal_dpi, meta.vertical_dpi), MIN_DPI)
        if dpi > 0:
            lowest = dpi if lowest is None else min(lowest, dpi)
    return lowest
