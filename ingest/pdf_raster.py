"""The resolution of the pictures on a PDF page: how coarse its scanned content is.

A redaction's black must reach as far as a region's content is spread, and a
scanned PDF spreads it in the blocks of its own embedded JPEG, at the
scanner's resolution; rendered at a higher one, a block covers more output
pixels than the margin meant for the output's own blocks (``ingest.blackout``).
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c


def raster_dpi(page: pdfium.PdfPage) -> float | None:
    """The lowest resolution of the images drawn on the page; None for a page without any.

    Call with ``ingest.pdf.PDFIUM`` held, as every pdfium call.
    """
    lowest: float | None = None
    for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
        try:
            meta = image.get_metadata()
        except pdfium.PdfiumError:
            continue
        dpi = min(meta.horizontal_dpi, meta.vertical_dpi)
        if dpi > 0:
            lowest = dpi if lowest is None else min(lowest, dpi)
    return lowest
