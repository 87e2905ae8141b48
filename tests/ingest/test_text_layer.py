"""The better text layer per page: pdfium's unless it looks damaged and pypdf reads better."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ingest.model import Limits
from ingest.pdf import pdf_pages
from ingest.text_layer import better_text, read
from tests.ingest import samples

HELVETICA = b"/Font << /F1 5 0 R >>"
HELVETICA_FONT = (
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
)
SENTENCE = b"(habibi Baugenehmigung wird unter Auflagen erteilt) Tj"


def _pdfium_text(path: Path) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        return doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def _only_page(path: Path):
    [page] = list(pdf_pages(path, Limits()))
    return page.info


def test_the_measure_sees_glued_scripts_control_codes_and_spaced_letters() -> None:
    assert read("ϲΒϴΒhabibi Baugenehmigung").mixed
    assert read("ϲΒϴΒhabibi Baugenehmigung").suspect
    assert read("\x08\x04\t\x04\t \x01\x10\x07").suspect
    assert read("B a u g e n e h m i g u n g").quality == 0
    clean = read("Die Baugenehmigung für das Flurstück 12/3 wird erteilt (Anlage 2).")
    assert clean.quality == 1 and not clean.suspect
    assert better_text("ϲΒϴΒhabibi Baugenehmigung", lambda: "habibi Baugenehmigung") == (
        "habibi Baugenehmigung",
        "pypdf",
    )


def test_a_reading_that_is_clean_because_it_lost_text_does_not_win() -> None:
    damaged = "ϲΒϴΒhabibi Baugenehmigung wird unter Auflagen erteilt"
    assert better_text(damaged, lambda: "Baugenehmigung")[1] == "pdfium"


def test_a_sound_page_is_not_read_twice(tmp_path) -> None:
    def second_reading() -> str:
        raise AssertionError("pypdf was asked although pdfium's text is sound")

    text = _pdfium_text(samples.text_pdf(tmp_path / "letter.pdf"))
    assert better_text(text, second_reading) == (text, "pdfium")


def test_a_type3_font_that_pdfium_cannot_map_is_read_by_pypdf(tmp_path) -> None:
    path = samples.type3_pdf(tmp_path / "type3.pdf", "habibi Baugenehmigung Lindenstrasse erteilt")
    assert "habibi" not in _pdfium_text(path)  # pdfium gives control codes
    info = _only_page(path)
    assert info.text == "habibi Baugenehmigung Lindenstrasse erteilt"
    assert info.text_source == "pdf"


@pytest.mark.parametrize(
    "hidden",
    [
        b"0 Tz (xxxx) Tj 100 Tz",  # zero-width glyphs: pypdf glues them to the next word
        b"/F1 0 Tf (xxxx) Tj /F1 12 Tf",  # zero-size glyphs
    ],
)
def test_pdfium_is_kept_where_pypdf_glues(tmp_path, hidden: bytes) -> None:
    content = b"BT /F1 12 Tf 72 700 Td " + hidden + b" " + SENTENCE + b" ET"
    path = samples.raw_pdf(
        tmp_path / "glued.pdf", content, resources=HELVETICA, extra=[HELVETICA_FONT]
    )
    info = _only_page(path)
    assert info.text == "habibi Baugenehmigung wird unter Auflagen erteilt"
