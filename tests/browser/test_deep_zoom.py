"""Deep zoom in Chromium, as an architect reads a plan from home: OpenSeadragon on the page's
IIIF Image service, zoomed into the title block of the demo plan until its smallest lettering
(40 pixels high in the 9600-pixel scan, 6 in the preview) is sharp enough for tesseract to
read it off the screen, with the viewer's own mark over every tile; the toolbar and the keyboard
work the viewer."""

from __future__ import annotations

import io
import random
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

import ingest
from ingest.demo.render import plan_drawing
from ingest.ocr import recognise
from tests.web.conftest import GRANTED

from .conftest import Server, look
from .test_browser import sign_in

LOADED = """() => {
  const v = window.bauakteDeepZoom;
  return v && v.world.getItemCount() > 0 && v.world.getItemAt(0).getFullyLoaded();
}"""
TITLE_BLOCK_LINE = (7470, 5740, 600, 70)
"""x, y, width, height in the plan's pixels: the last small line of the title block, which
fills the viewer's width at more than one screen pixel per scanned pixel."""


@pytest.fixture(scope="module")
def plan(server: Server, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The demo's 9600 x 6400 floor plan, scanned at 400 dpi, in the granted file."""
    folder = tmp_path_factory.mktemp("plan")
    image = plan_drawing("Neubau Wohnhaus", random.Random(7))
    image.save(folder / f"{GRANTED}_bauzeichnung_2020-03-01_Grundriss.jpg", "JPEG", quality=85,
               dpi=(400, 400))  # fmt: skip
    [report] = ingest.run([folder], server.archive.instance).files
    assert report.document_id is not None, report.reason
    return report.document_id


def _tiles(page: Page) -> list[tuple[int, int]]:
    """(region width, output width) of every IIIF image request the page made."""
    return [
        (int(m.group(1)), int(m.group(2)))
        for url in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        if (m := re.search(r"/iiif/3/[0-9a-f-]+/\d+,\d+,(\d+),\d+/(\d+),\d*/0/default\.jpg", url))
    ]


def test_an_architect_reads_the_title_block_of_a_plan(page: Page, server: Server, plan: int):
    sign_in(page, "citizen.active")
    page.goto(f"/documents/{plan}")
    expect(page.locator("figure.page.deep-zoom-on")).to_be_visible()
    page.wait_for_function(LOADED)
    expect(page.locator("figure.page img")).to_be_hidden()  # the viewer took its place
    look(page, "deep-zoom-plan")

    x, y, w, h = TITLE_BLOCK_LINE
    page.evaluate(
        """([x, y, w, h]) => {
          const v = window.bauakteDeepZoom;
          const r = v.world.getItemAt(0).imageToViewportRectangle(x, y, w, h);
          v.viewport.fitBounds(r, true);
        }""",
        [x, y, w, h],
    )
    page.wait_for_function(LOADED)
    page.wait_for_timeout(300)  # the last tiles blend in
    shot = page.locator("#deep-zoom").screenshot(path=_artifact("deep-zoom-title-block.png"))
    words = " ".join(w.text for w in recognise(Image.open(io.BytesIO(shot)), "deu").words)
    assert "Fenster" in words and "geändert" in words, words  # 40-pixel letters, read off screen
    grey = Image.open(io.BytesIO(shot)).convert("L").point(lambda v: 0 if 140 < v < 215 else 255)
    marks = " ".join(w.text for w in recognise(grey, "deu").words)  # the mark's grey alone
    # the name exactly is read in tests/web/test_watermark.py, off lossless images
    assert "Einsichtnahme" in marks and re.search(r"citizen|active", marks), marks
    assert any(region == size for region, size in _tiles(page)), "no tile at full resolution"


def test_the_toolbar_and_the_keyboard_work_the_viewer(page: Page, server: Server, plan: int):
    sign_in(page, "citizen.active")
    page.goto(f"/documents/{plan}")
    page.wait_for_function(LOADED)
    zoom = "() => window.bauakteDeepZoom.viewport.getZoom(true)"
    start = page.evaluate(zoom)
    page.get_by_role("button", name="Vergrößern").click()
    page.wait_for_function(f"() => ({zoom})() > {start} * 1.4")
    page.get_by_role("button", name="Ganze Seite").click()
    page.wait_for_function(f"() => Math.abs(({zoom})() - {start}) < {start} * 0.01")
    page.get_by_role("button", name="Nach rechts drehen").click()
    page.wait_for_function("() => window.bauakteDeepZoom.viewport.getRotation() === 90")
    canvas = page.get_by_role("region", name=re.compile("Seitenbild"))
    canvas.focus()
    before = page.evaluate(zoom)
    page.keyboard.press("+")
    page.wait_for_function(f"() => ({zoom})() > {before} * 1.1")
    full = page.get_by_role("button", name="Vollbild")
    full.click()
    expect(full).to_have_attribute("aria-pressed", "true")
    full.click()
    expect(full).to_have_attribute("aria-pressed", "false")
    page.set_viewport_size({"width": 320, "height": 640})  # WCAG 1.4.10: reflows on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _artifact(name: str) -> str:
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)


@pytest.mark.parametrize("source", ["text PDF", "scan"])
def test_search_hits_are_drawn_on_the_page_and_stepped_through(
    page: Page, server: Server, plan: int, source: str
) -> None:
    document, query, word = (
        (server.archive.documents[GRANTED][0], "Dachgauben", "Dachgaube")  # stemmed
        if source == "text PDF"
        else (plan, "Fenster", "Fenster")  # the OCR's word boxes of the plan
    )
    sign_in(page, "citizen.active")
    page.goto(f"/documents/{document}?q={query}")
    page.wait_for_function(LOADED)
    hits = page.locator(".deep-zoom .hit")
    expect(hits.first).to_be_attached()
    count = hits.count()
    status = page.locator(".hit-count")
    expect(status).to_have_text(f"Treffer 1 von {count}")
    look(page, f"deep-zoom-hits-{source.replace(' ', '-')}")
    page.get_by_role("button", name="Nächster Treffer").click()
    expect(status).to_have_text(f"Treffer {min(2, count) if count > 1 else 1} von {count}")
    expect(page.locator(".deep-zoom .hit.current")).to_have_count(1)
    shown = page.evaluate(
        """() => { const v = window.bauakteDeepZoom, r = v.viewport.getBounds();
                   const h = document.querySelector('.deep-zoom .hit.current')
                                     .getBoundingClientRect();
                   const c = v.container.getBoundingClientRect();
                   return h.left >= c.left && h.right <= c.right && h.top >= c.top
                          && h.bottom <= c.bottom && r.width < 1; }"""
    )
    assert shown, "the current hit is not in view, zoomed in"
    found = page.evaluate(f"fetch('/documents/{document}/pages/1/hits.json?q={query}')"
                          ".then(r => r.json()).then(b => b.hits.map(h => h.text))")  # fmt: skip
    assert found and {w.lower() for w in found} == {word.lower()}
    page.set_viewport_size({"width": 320, "height": 640})  # the hits and their list reflow
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
