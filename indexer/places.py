"""Addresses and file numbers as people type them.

A citizen types ``Venloer Str. 411``, ``venloer strasse 411 a`` or
``Bahnhofstr. 5``; a clerk types a file number from an old folder as
``63/BA/2019/457``, ``BA 457/2019`` or without its leading zeros.  The index
keeps a building file's house number (``411a`` and ``411``), postcode and its
file number's pieces (``63 ba 2019 457``, zeros dropped) beside the page, so a
page is found by its file's address and number even where its text names
neither; the query reads these forms (``indexer.query``).
"""

from __future__ import annotations

import re

from .folding import fold

STREET_ENDS = ("strasse", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer", "wall",
               "pfad", "markt", "graben", "gurtel", "steig", "chaussee", "promenade", "hof",
               "berg", "feld", "kamp", "stieg", "twiete")  # fmt: skip
"""How a street name ends, folded (a word that ends so may be followed by a house number)."""
_HOUSE = re.compile(r"(\d{1,4})\s*([a-z])?")
_PIECES = re.compile(r"[-/.\s]+")
_POSTCODE = re.compile(r"\d{5}")


def written_out(token: str) -> str:
    """``Str.``, ``str`` -> ``straße``; ``Bahnhofstr.`` -> ``Bahnhofstraße``; ``Pl.`` ->
    ``platz`` alone (no German word ends in "str"; "Dipl." is no square)."""
    low = token.lower()
    if low == "pl.":
        return "platz"
    for short in ("str.", "str"):
        if low.endswith(short):
            return token[: -len(short)] + "straße"
    return token


def is_street(token: str) -> bool:
    """Whether a house number may follow: the word ends as a street name does, after a
    name of its own (``Lindenweg``, ``Ring``; not ``gering``)."""
    word = fold(written_out(token).rstrip(".,"))
    return any(word == end or (word.endswith(end) and len(word) - len(end) >= 3)
               for end in STREET_ENDS)  # fmt: skip


def house_numbers(text: str | None) -> list[str]:
    """A house number as the index keeps it: ``411 a`` -> ``411a`` and ``411``."""
    found = _HOUSE.fullmatch(fold(text or "").strip())
    if found is None:
        return []
    number, letter = found.groups()
    return [number + letter, number] if letter else [number]


def is_house_number(token: str) -> bool:
    return bool(house_numbers(token))


def file_number_pieces(text: str | None) -> list[str]:
    """The pieces of a file number, lower case, numbers without leading zeros; [] when
    ``text`` is no file number (it needs a digit and at least two pieces)."""
    pieces = [p for p in _PIECES.split(fold(text or "")) if p]
    if len(pieces) < 2 or not all(p.isascii() and p.isalnum() for p in pieces):
        return []
    if not any(p.isdigit() for p in pieces):
        return []
    return [str(int(p)) if p.isdigit() else p for p in pieces]


def is_postcode(token: str) -> bool:
    return bool(_POSTCODE.fullmatch(token))
