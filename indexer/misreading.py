"""How OCR and typists get a word wrong: the forms a search also tries for a word.

A scanned page reads ``ü`` as ``ii`` or ``u``, ``rn`` as ``m``, ``e`` as ``c``; a typist
drops or swaps a letter.  For a word that stands somewhere as typed, the search looks
these forms up one by one (each a dictionary lookup) instead of walking every word of
the index within an edit distance.  Words are folded (``ü`` is ``u``).
"""

from __future__ import annotations

from collections.abc import Iterator

CONFUSIONS = (
    ("u", "ii"), ("u", "ti"), ("m", "rn"), ("m", "in"), ("n", "ri"), ("e", "c"), ("c", "e"),
    ("h", "b"), ("b", "h"), ("l", "i"), ("i", "l"), ("o", "c"), ("a", "o"), ("o", "a"),
    ("d", "cl"), ("w", "vv"), ("s", "f"), ("f", "s"), ("k", "lc"), ("g", "q"), ("q", "g"),
    ("t", "f"), ("r", "n"), ("n", "r"), ("ss", "fs"), ("ss", "b"), ("i", "j"), ("rn", "m"),
    ("ii", "u"), ("e", "o"), ("a", "e"), ("u", "n"), ("n", "u"), ("v", "y"), ("u", "a"),
    ("a", "u"), ("o", "u"),
)  # fmt: skip
"""Letters OCR takes for others (old typefaces, Fraktur, worn typewriter ribbons)."""


def misreadings(word: str) -> Iterator[str]:
    """Forms one slip away: a letter dropped or doubled, two letters swapped, or one
    OCR confusion; each once, never the word itself."""
    seen = {word}
    for form in _forms(word):
        if form and form not in seen:
            seen.add(form)
            yield form


def _forms(word: str) -> Iterator[str]:
    for right, wrong in CONFUSIONS:
        start = word.find(right, 1)
        while start != -1:
            yield word[:start] + wrong + word[start + len(right) :]
            start = word.find(right, start + 1)
    for i in range(1, len(word) - 1):
        yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped
    for i in range(1, len(word)):
        yield word[:i] + word[i + 1 :]  # dropped
        yield word[:i] + word[i] + word[i:]  # doubled
