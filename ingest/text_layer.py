"""extract: the better of two readings of a PDF page's text layer.

pdfium reads most text layers best (it honours ``/ActualText``, drops
zero-size and zero-width glyphs, and orders overprinted text), so its text is
taken unless it looks damaged.  Some PDFs make it glue garbage to real words
(``ϲΒϴΒhabibi`` where pypdf reads ``habibi``), and then the word cannot be
found; a Type3 font without ``/ToUnicode`` comes out as control codes.

The measure is :func:`read`: the letters that stand in well-formed words (two
or more letters, all of one script), the letters that do not, and characters
no reader should give (control codes: glyphs it could not map).  When a token
mixes scripts, a character is unmapped, or fewer than ``SUSPECT_BELOW`` of the
letters are in well-formed words, pypdf reads the page too, and its text wins
when its ``score`` (letters in well-formed words, less the others) is higher:
a reading that is clean because it lost text does not win.
``tests/ingest/test_text_layer.py`` shows the rule on PDFs where either
reader fails.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

SUSPECT_BELOW = 0.97
"""Normal German pages score 0.99-1.0 (one-letter tokens are the usual loss)."""
EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?«»„“”‚‘’-–—/\\*§%&+=#"


@dataclass(frozen=True)
class Reading:
    """How a page's text splits into letters in well-formed words and the rest."""

    good: int
    """Letters in tokens of two or more letters, all of one script."""
    damaged: int
    mixed: bool
    """Some token mixes scripts (``ϲΒϴΒhabibi``): the clearest sign of glued text."""
    unmapped: int = 0
    """Control and private-use characters: glyphs the reader could not map to text
    (pdfium reads Type3 fonts without ``/ToUnicode`` so)."""

    @property
    def quality(self) -> float:
        total = self.good + self.damaged
        return self.good / total if total else 0.0

    @property
    def suspect(self) -> bool:
        if self.mixed or self.unmapped:
            return True
        return self.good + self.damaged > 0 and self.quality < SUSPECT_BELOW

    @property
    def score(self) -> int:
        return self.good - self.damaged - self.unmapped


def read(text: str) -> Reading:
    good = damaged = 0
    mixed = False
    unmapped = sum(
        unicodedata.category(ch) in ("Cc", "Co", "Cn") for ch in text if not ch.isspace()
    )
    for token in text.split():
        letters = [ch for ch in token.strip(EDGE_PUNCTUATION) if ch.isalpha()]
        scripts = len({_script(ch) for ch in letters})
        mixed = mixed or scripts > 1
        if len(letters) >= 2 and scripts == 1:
            good += len(letters)
        else:
            damaged += len(letters)
    return Reading(good, damaged, mixed, unmapped)


def _script(letter: str) -> str:
    """LATIN, GREEK, CYRILLIC, …: the first word of the character's Unicode name."""
    return unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]


def better_text(pdfium_text: str, pypdf_text: Callable[[], str]) -> tuple[str, str]:
    """(text, reader): pdfium's, unless it looks damaged and pypdf's reading scores higher.

    ``pypdf_text`` is only called for a suspect page: pypdf is pure Python and
    several times slower than pdfium on text-heavy plans.
    """
    first = read(pdfium_text)
    if not first.suspect:
        return pdfium_text, "pdfium"
    other = pypdf_text()
    if read(other).score > first.score:
        return other, "pypdf"
    return pdfium_text, "pdfium"
