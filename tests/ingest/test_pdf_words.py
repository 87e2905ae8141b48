"""A text PDF's word boxes lie where the word is on the rendered page, whatever the page's
rotation, media box origin or crop box: a redaction drawn on the image finds its words; and
a scanned PDF's resolution, which widens a redaction's black."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from ingest.ocr import recognise
from ingest.pdf_raster import raster_dpi
from ingest.pdf_words import pdf_words
from tests.ingest.samples import text_pdf

WORD = "Quenzel"


def _variant(path, how: str):
    if how == "as made":  # fpdf's: the page inherits its media box from the page tree
        return path
    reader = PdfReader(path)
    writer = PdfWriter()
    page = writer.add_page(reader.pages[0])
    if how in ("rotated 90", "rotated 180", "rotated 270"):
        page.rotation = int(how.split()[1])
    elif how == "media box moved":
        page.add_transformation((1, 0, 0, 1, 200, 300))
        page.mediabox = RectangleObject([200, 300, 795.28, 1141.89])
    elif how == "crop box":
        page.cropbox = RectangleObject([40, 20, 560, 835])
    out = path.with_name(f"{how.replace(' ', '-')}.pdf")
    with out.open("wb") as f:
        writer.write(f)
    return out


@pytest.mark.parametrize(
    "how",
    ["as made", "plain", "rotated 90", "rotated 180", "rotated 270", "media box moved", "crop box"],
)
def test_the_box_lies_where_the_word_is_rendered(tmp_path, how) -> None:
    path = _variant(text_pdf(tmp_path / "plain.pdf", pages=1, marker=f"Nachbarin {WORD}"), how)
    document = pdfium.PdfDocument(str(path))
    try:
        page = document[0]
        [kept] = [w for w in pdf_words(page)["words"] if w[0] == WORD]
        image = page.render(scale=3).to_pil().convert("L")
    finally:
        document.close()
    w, h = image.size
    left, top, width, height = kept[1:5]
    crop = image.crop((int((left - 0.02) * w), int((top - 0.02) * h),
                       int((left + width + 0.02) * w), int((top + height + 0.02) * h)))  # fmt: skip
    turn = int(how.split()[1]) if how.startswith("rotated") else 0
    upright = crop.rotate(turn, expand=True, fillcolor=255)  # the page turned back
    read = " ".join(word.text for word in recognise(upright, "deu").words)
    assert WORD in read, (how, kept, read)  # the box holds the word, and little else
    assert "Nachbarin" not in read


def test_the_resolution_of_a_scan_on_the_page_and_none_of_a_stretched_fill(tmp_path) -> None:
    """What widens a redaction's black on a scanned PDF (ingest.pdf_raster): the scan's dpi;
    a 2-pixel fill stretched over the page is no scan (it would black the whole page)."""
    Image.new("L", (620, 877), 255).save(tmp_path / "scan.pdf", "PDF", resolution=75)
    Image.new("L", (2, 2), 200).save(tmp_path / "fill.pdf", "PDF", resolution=0.25)
    text = text_pdf(tmp_path / "text.pdf", pages=1)
    found = {}
    for name in ("scan.pdf", "fill.pdf", text.name):
        document = pdfium.PdfDocument(str(tmp_path / name))
        found[name] = raster_dpi(document[0])
        document.close()
    assert found["scan.pdf"] == pytest.approx(75, abs=0.5)
    assert found["fill.pdf"] is None and found["text.pdf"] is None
