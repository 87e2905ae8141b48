"""The building file sorted by date or kind; a page's text with the search words marked."""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup

from indexer.highlight import Wanted
from viewer.web.text_marks import marked

from .conftest import GRANTED, MARKER


def test_documents_sort_by_date_with_their_kind_shown(archive, client_as) -> None:
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}"
    grouped = clerk.get(url).text
    assert 'aria-current="true">nach Dokumentart' in grouped
    by_date = clerk.get(f"{url}?sort=date").text
    assert "Alle Dokumente, älteste zuerst" in by_date
    section = by_date.split('id="by-date"')[1]
    days = [dt.datetime.strptime(d, "%d.%m.%Y").date()
            for d in re.findall(r'class="meta">[^<·]+· (\d\d\.\d\d\.\d{4})', section)]  # fmt: skip
    assert days and days == sorted(days)
    assert section.count('class="title"') == grouped.count('class="title"')


def test_the_page_text_marks_the_words_searched_for(archive, client_as) -> None:
    doc = archive.documents[GRANTED][0]
    page = client_as("clerk").get(f"/documents/{doc}?q={MARKER}").text
    text = page.split('id="text-heading"')[1].split("</section>")[0]
    assert f"<mark>{MARKER}</mark>" in text
    plain = client_as("clerk").get(f"/documents/{doc}").text.split('id="text-heading"')[1]
    assert "<mark>" not in plain.split("</section>")[0]


def test_marking_escapes_the_text_and_marks_whole_words_only() -> None:
    wanted = Wanted(frozenset(), frozenset({"dachgaube"}))
    out = marked("<b>Dachgaube</b> & Dachgauben-Plan", wanted)
    assert isinstance(out, Markup)
    assert "&lt;b&gt;<mark>Dachgaube</mark>&lt;/b&gt; &amp;" in out
    assert "<b>" not in out
    assert marked("<i>x</i>", None) == "&lt;i&gt;x&lt;/i&gt;"
