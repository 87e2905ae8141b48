"""The English catalogue covers every German text of the UI, and its compiled form is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

VIEWER = Path(__file__).resolve().parents[2] / "viewer"
CATALOGUE = VIEWER / "translations" / "en" / "LC_MESSAGES"


def _source_messages() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(VIEWER), method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_text_has_an_english_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as f:
        po = read_po(f, locale="en")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in po
        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
    }
    assert _source_messages() - translated == set(), "run `make translations` and translate"


def _pairs(catalogue) -> dict[tuple[str | None, str], object]:
    """Keyed by context and id: the audit trail's labels share words with the pages."""
    return {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string
        if isinstance(m.string, str)
        else tuple(m.string)
        for m in catalogue
        if m.id
    }


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "messages.po").open("rb") as f:
        po = _pairs(read_po(f))
    with (CATALOGUE / "messages.mo").open("rb") as f:
        mo = _pairs(read_mo(f))
    assert mo == po, "run `make translations` to recompile"
