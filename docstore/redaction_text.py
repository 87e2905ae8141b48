"""Where a redaction lies and what it takes from a page's text: plain functions of boxes and
words, shared by the services, the image routes and the index records.

Boxes are fractions of the page (left, top, width, height, top-left origin), as
the word boxes kept at ingest (``viewer.page_words``) are.  A word counts as
redacted when a twentieth of it lies under a region: over-redacting is the safe
side (a generously drawn box takes a grazed neighbour from the text, while it
still shows in the image), and a region over the last digits of a long IBAN or
one half of a joined name takes the whole word from the text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import UsageError

MIN_SIDE = 0.001
"""A region narrower than a thousandth of the page is a slip of the mouse, not a redaction."""
COVERED = 0.05
GAP = "███"
"""Stands in the text where words were taken out, so a reader knows something was."""


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @classmethod
    def checked(cls, left: float, top: float, width: float, height: float) -> Box:
        """A region cut to the page; UsageError for one that is not a region on it."""
        values = (left, top, width, height)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise UsageError(
                "a redaction needs a left, top, width and height between 0 and 1", "redaction.box"
            )
        right, bottom = min(left + width, 1.0), min(top + height, 1.0)
        left, top = max(left, 0.0), max(top, 0.0)
        if right - left < MIN_SIDE or bottom - top < MIN_SIDE:
            raise UsageError("the redaction does not cover any part of the page", "redaction.box")
        return cls(left, top, right - left, bottom - top)

    def covers(self, left: float, top: float, width: float, height: float) -> bool:
        """Whether this region hides enough of the box to take its word from the text."""
        across = min(self.left + self.width, left + width) - max(self.left, left)
        down = min(self.top + self.height, top + height) - max(self.top, top)
        if across <= 0 or down <= 0:
            return False
        return across * down >= COVERED * max(width * height, 1e-12)


def hidden(word: Sequence, regions: Iterable[Box]) -> bool:
    """``word`` as kept at ingest: [text, left, top, width, height, ...]."""
    return any(r.covers(word[1], word[2], word[3], word[4]) for r in regions)


def public_text(text: str, words: Sequence[Sequence], regions: Sequence[Box]) -> str:
    """The page's text without the words under ``regions``.

    Only the word boxes say where a word stands, so the text is cut by them:
    each word found in the text in turn, the hidden ones replaced by a gap.
    Where the text holds anything no box accounts for (another extractor's
    reading), it is rebuilt from the boxes alone, one line per printed line.  A
    page with text but no word boxes gives nothing (what lies under a region
    cannot be told, so none of it goes out).
    """
    if not regions:
        return text
    if not words:
        return ""
    cut = _cut_by_words(text, words, regions)
    return cut if cut is not None else _rebuilt(words, regions)


def _cut_by_words(text: str, words: Sequence[Sequence], regions: Sequence[Box]) -> str | None:
    """The text with the hidden words' spans replaced; None when a word is not found in
    order or letters are left over that no word box accounts for."""
    out: list[str] = []
    position = 0
    for word in words:
        found = text.find(str(word[0]), position)
        if found < 0 or any(c.isalnum() for c in text[position:found]):
            return None
        between = text[position:found]
        if not hidden(word, regions):
            out += [between, str(word[0])]
        elif not (out and out[-1] == GAP and not between.strip()):
            out += [between, GAP]  # one gap for neighbouring hidden words
        position = found + len(str(word[0]))
    if any(c.isalnum() for c in text[position:]):
        return None
    out.append(text[position:])
    return "".join(out)


def _rebuilt(words: Sequence[Sequence], regions: Sequence[Box]) -> str:
    lines: list[list[str]] = []
    previous = None
    for word in words:
        if previous is None or _new_line(previous, word):
            lines.append([])
        token = GAP if hidden(word, regions) else str(word[0])
        if not (token == GAP and lines[-1] and lines[-1][-1] == GAP):
            lines[-1].append(token)
        previous = word
    return "\n".join(" ".join(line) for line in lines)


def _new_line(before: Sequence, word: Sequence) -> bool:
    """Below the previous word's middle, or back to the left of it."""
    middle = before[2] + before[4] / 2
    return word[2] > middle or word[1] + word[3] / 2 < before[1]


def tag(regions: Sequence[Box]) -> str:
    """What the regions add to an ETag ('' for none)."""
    return ";".join(f"{r.left:.5f},{r.top:.5f},{r.width:.5f},{r.height:.5f}" for r in regions)
