"""Redaction in Chromium: a clerk drags a region over a neighbour's name on a scan in the deep-
zoom viewer, gives a reason and redacts it; then a citizen opens the same page and the name is
black on the screen, absent from the page's text, and the clerk's own view outlines it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

import ingest
from docstore.models import Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from ingest.ocr import recognise
from tests.ingest.samples import save_image, scan_image
from tests.web.conftest import GRANTED, PASSWORD, enrol

from .conftest import Server, look
from .test_browser import sign_in
from .test_deep_zoom import LOADED

NAME = "Quenzel"


@pytest.fixture(scope="module")
def letter(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    """A scanned letter naming a neighbour, in the granted file, and a clerk of its own."""
    folder = tmp_path_factory.mktemp("letter")
    save_image(folder / f"{GRANTED}_schriftverkehr_2021-01-01_Nachbarbrief.png",
               scan_image(f"Nachbarin Edeltraut {NAME}"), "PNG")  # fmt: skip
    inst = server.archive.instance
    [report] = ingest.run([folder], inst).files
    assert report.document_id is not None, report.reason
    with inst.db.transaction() as s:
        users.create_user(s, "clerk.redaction", PASSWORD, Role.CLERK, actor=CONSOLE)
        secret = enrol(s, "clerk.redaction", inst.config.secret_key)
    inst.db.dispose()
    return report.document_id, secret


def _word_on_screen(page: Page, word: str) -> dict:
    """The word's box in the page's CSS pixels, from the page's OCR word boxes."""
    return page.evaluate(
        """async (word) => {
          const doc = location.pathname.split('/')[2];
          const body = await (await fetch(`/documents/${doc}/pages/1/hits.json?q=${word}`)).json();
          const [l, t, w, h] = body.hits[0].box;
          const v = window.bauakteDeepZoom, item = v.world.getItemAt(0);
          const size = item.getContentSize(), c = v.canvas.getBoundingClientRect();
          const a = item.imageToViewerElementCoordinates(
            new OpenSeadragon.Point((l - 0.01) * size.x, (t - 0.01) * size.y));
          const b = item.imageToViewerElementCoordinates(
            new OpenSeadragon.Point((l + w + 0.01) * size.x, (t + h + 0.01) * size.y));
          return {x0: c.left + a.x, y0: c.top + a.y, x1: c.left + b.x, y1: c.top + b.y};
        }""",
        word,
    )


def test_a_clerk_marks_a_name_and_a_citizen_sees_it_black(
    page: Page, server: Server, letter: tuple[int, str]
) -> None:
    document, secret = letter
    sign_in(page, "clerk.redaction", secret)
    page.goto(f"/documents/{document}")
    page.wait_for_function(LOADED)
    box = _word_on_screen(page, NAME)
    page.get_by_role("button", name="Bereich markieren").click()
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2, steps=4)
    page.mouse.move(box["x1"], box["y1"], steps=4)
    page.mouse.up()
    expect(page.get_by_role("button", name="Bereich markieren")).to_have_attribute(
        "aria-pressed", "false")  # fmt: skip
    expect(page.get_by_label("Breite (%)")).not_to_have_value("")
    page.get_by_label("Grund").fill("Name der Nachbarin")
    look(page, "redaction-marked")
    page.get_by_role("button", name="Schwärzen", exact=True).click()
    expect(page.get_by_text("Der Bereich ist geschwärzt")).to_be_visible()
    expect(page.get_by_role("cell", name="Name der Nachbarin")).to_be_visible()
    page.wait_for_function(LOADED)
    expect(page.locator(".deep-zoom .redaction")).to_have_count(1)  # staff: outlined
    assert NAME in page.locator(".page-text").inner_text()
    _reflows(page)

    page.context.clear_cookies()
    sign_in(page, "citizen.active")
    page.goto(f"/documents/{document}")
    page.wait_for_function(LOADED)
    page.wait_for_timeout(300)  # the last tiles blend in
    assert NAME not in page.locator(".page-text").inner_text()
    expect(page.get_by_text(re.compile("Teile dieser Seite sind"))).to_be_visible()
    expect(page.locator(".deep-zoom .redaction")).to_have_count(0)
    look(page, "redaction-citizen")
    shot = Image.open(io.BytesIO(page.screenshot())).convert("L")
    words = " ".join(w.text for w in recognise(shot, "deu").words)
    assert "Nachbarin" in words and NAME not in words, words
    before = _word_on_screen(page, "Edeltraut")  # the word before the name: still there
    width, height = before["x1"] - before["x0"], before["y1"] - before["y0"]
    where = (int(before["x1"] + 0.3 * width), int(before["y0"] + 0.35 * height),
             int(before["x1"] + 0.6 * width), int(before["y1"] - 0.35 * height))  # fmt: skip
    assert ImageStat.Stat(shot.crop(where)).mean[0] < 70  # black, the mark's grey over it
    _reflows(page)


def _reflows(page: Page) -> None:
    """WCAG 1.4.10: the page with its redaction table and form works at 320 CSS pixels."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    wide = page.evaluate(  # named in the failure: what sticks out
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > 322)
             .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
             .slice(0, 15)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, wide
    page.set_viewport_size(size)
