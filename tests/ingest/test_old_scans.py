"""Old scans: cleaned before OCR (deskew, despeckle, even paper), Fraktur read with its model.

The pages come from ``ingest.demo.old_print``: drawn in a face, aged, with their text
known, so the reading is scored word by word (``bench/ocr_quality.py`` gives the figures).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ingest import ocr
from ingest.demo.old_print import aged_page, word_accuracy
from ingest.fonts import FONT
from ingest.ocr_prepare import prepare, unturn
from ingest.ocr_read import read_page


@pytest.mark.parametrize("face,seed", [("typewriter", 0), ("fraktur", 1), ("antiqua", 2)])
def test_a_skewed_page_is_levelled(face: str, seed: int) -> None:
    page = aged_page(face, seed)
    assert 1.0 <= abs(page.skew) <= 3.0
    assert prepare(page.image, page.dpi).angle == pytest.approx(-page.skew, abs=0.25)


def test_a_level_page_stays_as_it_is() -> None:
    page = Image.new("L", (1200, 800), 240)
    ImageDraw.Draw(page).text((100, 100), "Baugenehmigung vom 3. Mai 1954", fill=20,
                              font=ImageFont.truetype(str(FONT), 40))  # fmt: skip
    assert prepare(page).angle == 0


def test_specks_far_from_letters_go_and_dots_near_letters_stay() -> None:
    page = Image.new("L", (1600, 900), 235)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 40)
    draw.text((100, 100), "Höhe der Brüstung: 0,90 m; Tür ä ö ü", fill=20, font=font)
    specks = [(300, 600), (900, 450), (1400, 800), (1200, 300)]
    for x, y in specks:
        draw.rectangle((x, y, x + 3, y + 3), fill=30)
    cleaned = np.asarray(prepare(page).image)
    for x, y in specks:
        assert cleaned[y : y + 4, x : x + 4].min() > 200, (x, y)
    ink = np.asarray(page)[80:160, 90:1300] < 128
    kept = cleaned[80:160, 90:1300] < 128
    marks = cv2.connectedComponents(ink.astype(np.uint8))[0]
    assert cv2.connectedComponents(kept.astype(np.uint8))[0] == marks  # every dot, colon, comma


def test_a_box_on_the_levelled_page_maps_back_to_the_scan() -> None:
    from ingest.ocr_prepare import _turn

    width, height, angle = 2000, 1400, 2.5
    scan = np.full((height, width), 255, np.uint8)
    scan[200:260, 1500:1800] = 0  # a word near the right edge, where skew moves it most
    level = _turn(scan, angle)
    assert level.shape[0] > height and level.shape[1] > width  # no corner cut off
    ys, xs = np.nonzero(level < 128)
    wide, high = level.shape[1], level.shape[0]
    found = (xs.min() / wide, ys.min() / high, (xs.max() - xs.min()) / wide,
             (ys.max() - ys.min()) / high)  # fmt: skip
    left, top, box_w, box_h = unturn(found, angle, (wide, high), (width, height))
    # the box turned back holds the word where it stands on the scan (within 3 px)
    assert left * width == pytest.approx(1500, abs=3)
    assert top * height <= 203 and (top + box_h) * height >= 257
    assert (left + box_w) * width >= 1797


def test_what_stands_in_a_corner_of_a_skewed_page_is_kept() -> None:
    page = aged_page("typewriter", 2)
    scan = page.image.copy()
    ImageDraw.Draw(scan).rectangle((8, 8, 60, 60), fill=0)  # a stamp in the very corner
    cleaned = np.asarray(prepare(scan, page.dpi).image)
    assert cleaned.shape[1] > scan.width  # the canvas grew with the turn
    corner = cleaned[: cleaned.shape[0] // 6, : cleaned.shape[1] // 6]
    assert (corner < 128).sum() >= 0.8 * 53 * 53


def test_typewritten_and_fraktur_pages_read_well_after_cleaning() -> None:
    for face, seed in (("typewriter", 0), ("fraktur", 0)):
        page = aged_page(face, seed)
        bare = ocr.recognise(page.image, "deu+eng", dpi=page.dpi)
        read = read_page(page.image, "deu+eng", fraktur="deu+frk", dpi=page.dpi)
        assert word_accuracy(page.truth, read.text) >= 0.9, (face, read.text)
        assert word_accuracy(page.truth, read.text) >= word_accuracy(page.truth, bare.text) + 0.2
        if face == "fraktur":
            assert read.languages == "deu+frk"  # German alone read it less surely


def test_word_boxes_of_a_skewed_scan_sit_on_its_ink() -> None:
    page = aged_page("typewriter", 1)
    read = read_page(page.image, "deu+eng", fraktur="", dpi=page.dpi)
    scan = np.asarray(page.image.convert("L"))
    height, width = scan.shape
    paper = float(np.median(scan))
    words = [w for w in read.words if len(w.text) >= 6]
    assert len(words) >= 20
    for word in words:
        x0, y0 = int(word.left * width), int(word.top * height)
        x1, y1 = int((word.left + word.width) * width), int((word.top + word.height) * height)
        assert scan[y0:y1, x0:x1].min() < paper - 100, word  # the word's ink is in its box


@pytest.mark.parametrize("size,tone", [((1, 1), 255), ((40, 3000), 0), ((800, 600), 255),
                                       ((800, 600), 0), ((3000, 70), 128)])  # fmt: skip
def test_blank_black_and_sliver_pages_pass_through_unharmed(size, tone) -> None:
    page = Image.new("L", size, tone)
    prepared = prepare(page)
    assert prepared.image.size == size and prepared.angle == 0


def test_a_failing_second_reading_keeps_the_first_and_a_blank_page_is_read_once(
    monkeypatch,
) -> None:
    from ingest.model import Rejected

    calls: list[str] = []
    first = ocr.OcrResult(text="Bauschein", words=[], confidence=61.0, languages="deu+eng")

    def unsure_then_failing(image, languages, dpi=None, timeout=300):
        calls.append(languages)
        if languages == "deu+frk":
            raise Rejected("resource limit", "OCR of a page took longer than 1 s")
        return first

    monkeypatch.setattr(ocr, "recognise", unsure_then_failing)
    page = Image.new("L", (800, 600), 240)
    assert read_page(page, "deu+eng", fraktur="deu+frk") is first
    assert calls == ["deu+eng", "deu+frk"]

    calls.clear()
    nothing = ocr.OcrResult(text="", words=[], confidence=None, languages="deu+eng")
    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: calls.append(a[1]) or nothing)
    assert read_page(page, "deu+eng", fraktur="deu+frk") is nothing
    assert calls == ["deu+eng"]  # no words at all: nothing a Fraktur model would read better
