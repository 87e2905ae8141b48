"""German compounds read into their parts with a full word list, and only where they are.

``Fensterbrüstung`` -> fenster + brüstung, ``Stahlbetonträgers`` -> stahl + beton +
trägers, so a search for a part finds the compound.  A run of letters that happens to
spell a word is no part: ``Wieland`` is not wie + land, ``Auftrag`` not auf + trag,
``beantrage`` not bean + trage, ``Nachbarschaft`` not nachbar + schaft.  The rules
(measured against the lists in ``tests/indexer/data``):

- the last part is a noun when the word is one (or unknown: new compounds, OCR); a
  verb or adjective (``feuerhemmend``) is read only as noun + word;
- earlier parts are nouns, adjectives or verb stems of three letters or more, never a
  function word or a verb prefix (``auf``, ``aus``, ``nach``, ``wie``); prepositions
  that make real compounds of place (``Untergeschoss``, ``Hinterhaus``) are allowed;
- a three-letter last part needs a noun or verb stem before it, or is a common short
  head (``Bauamt`` yes, ``Hartmut`` no);
- suffixes that happen to be nouns (``-schaft``, ``-tum``) are never a last part;
- an unknown first part is read only before the heads of street names
  (``Subbelrather`` + ``straße`` in ``Subbelratherstraße``);
- the reading with the fewest parts wins; each part is read again for its own parts
  (``Dachgeschossausbau`` -> dachgeschoss + ausbau -> dach + geschoss + ausbau).

Words are folded (``indexer.folding``) before they get here.
"""

from __future__ import annotations

import functools

from .lexicon import Lexicon, lexicon
from .stemming import stem
from .stopwords import STOPWORDS

LINKS = ("", "s", "es", "n", "en", "e", "er", "ns")
"""Linking elements (Fugenelemente) between two parts."""
MIN_PART = 4
MIN_COMPOUND = 6
MAX_COMPOUND = 60
"""Longer runs of letters (a text layer without spaces) are no word: never read as parts,
so hostile input cannot recurse or fill the caches with long keys."""
SHORT_PARTS = frozenset(
    {"bau", "amt", "weg", "hof", "tor", "tur", "bad", "rat", "ort", "see", "bus", "gas", "eck",
     "tal", "rad", "ton", "kai", "neu", "alt", "rot", "ost", "sud", "erd", "eis", "tag", "not",
     "roh", "heu", "dom", "ess", "akt", "ol"}
)  # fmt: skip
"""The only parts shorter than four letters: a short run of letters is a word by chance
too often (Hartmut, Bertram, Abstand as abs + tand)."""
PLACE_PREFIXES = frozenset(
    {"uber", "unter", "ober", "hinter", "vorder", "neben", "zwischen", "aussen", "innen", "vor",
     "seiten", "rund"}
)  # fmt: skip
"""Prepositions and adverbs that make compounds of place with the parts of a building
(Untergeschoss, Hinterhaus, Außenwand) and otherwise derived words (Unterlage, Übersicht,
Untersuchung): read only before a part in PLACE_HEADS."""
PLACE_HEADS = frozenset(
    {"geschoss", "haus", "gebaud", "wand", "deck", "dach", "gart", "seit", "kant", "bod",
     "kell", "mau", "trepp", "fenst", "tur", "raum", "zimm", "bau", "hof", "flach", "grenz",
     "flur", "putz", "dammung", "leitung", "anstrich", "bereich", "stutz", "trag", "balk",
     "tor", "eingang", "ausgang", "geland", "terrass", "balkon"}
)  # fmt: skip
"""Stems (indexer.analysis.stem) of the building parts PLACE_PREFIXES combine with."""
NOT_FIRST = (STOPWORDS - PLACE_PREFIXES) | frozenset(
    {"auf", "aus", "ein", "nach", "bei", "mit", "wie", "ver", "ent", "zer", "emp", "miss",
     "wider", "fort", "weg", "her", "hin", "los", "dar", "durch", "gegen", "trans", "ausser",
     "schor"}
)  # fmt: skip
"""Never a first part: prefixes of derived verbs and nouns (Auftrag, Ausnahme, Durchgang)."""
NOT_LAST = frozenset(
    {"schaft", "schaften", "tum", "tums", "dung", "ling", "linge", "heit", "samt"}
)  # fmt: skip
"""Suffixes that happen to be nouns (Wirtschaft, Eigentum, Gründung), and ``samt`` (in
Ordnungsamt the s links)."""
ADVERB_ENDS = frozenset({"falls", "weise", "mals", "wegs", "seits", "halb", "halben", "warts"})
"""Last parts that make adverbs, not compounds (ebenfalls, teilweise, jedenfalls)."""
S_LINKED = ("ung", "heit", "keit", "schaft", "ion", "tat", "ling", "tum")
"""Endings of first parts always followed by the linking s (Ordnung-s-amt)."""
ADJECTIVE_FIRSTS = frozenset(
    {"hoch", "tief", "flach", "neu", "alt", "gross", "klein", "schrag", "rot", "lang", "kurz",
     "breit", "schmal", "frei", "halb", "dunn", "dick", "leicht", "schwer", "nass", "trocken",
     "warm", "kalt", "fein", "grob", "weich", "steil", "rund", "glatt", "roh", "spitz", "fern",
     "nah", "ganz", "teil", "haupt", "sonder", "ersatz", "doppel", "einzel", "voll"}
)  # fmt: skip
"""Adjectives read as first parts (Flachdach, Hochhaus); any other adjective run is chance
(Gründung is not grün + dung)."""
STREET_HEADS = frozenset(
    {"strasse", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer", "wall", "pfad",
     "steig", "chaussee", "markt", "graben", "gurtel", "berg", "hof", "feld", "garten", "kamp",
     "stieg", "twiete", "promenade"}
)  # fmt: skip
"""Heads of street names: the only parts read after a first part the list does not know."""
PARTICIPLE = ("abge", "ange", "aufge", "ausge", "einge", "zuge", "vorge", "nachge", "beige",
              "mitge", "umge", "dazuge", "herge", "hinge", "wegge", "zuruckge")  # fmt: skip
"""Participles of separable verbs (abgebrochen, zugestimmt): never compounds."""


def split_compound(word: str) -> tuple[str, ...]:
    """The smallest parts of a folded word, in order, or () if it is no compound."""
    return _split(word)


def compound_reading(word: str) -> tuple[str, ...]:
    """The word's first reading as parts (``dachgeschossausbau`` -> dachgeschoss, ausbau),
    or () if it is no compound: what a query compound may be written apart as."""
    return _reading(word)


def compound_terms(word: str) -> tuple[str, ...]:
    """Every part worth indexing: the first reading's parts and their own parts
    (``dachgeschossausbau`` -> dachgeschoss, ausbau, dach, geschoss); () if none."""
    top = _reading(word)
    if not top:
        return ()
    found: list[str] = []
    for part in top:
        found.extend((part, *_base(part), *_split(part)))
    return tuple(dict.fromkeys(found))


def _base(part: str) -> tuple[str, ...]:
    """The base form of an inflected last part the stemmer leaves (Büros, Herrn)."""
    nouns = lexicon().nouns
    return tuple(part[:-1] for ending in ("s", "n") if part.endswith(ending) and part[:-1] in nouns)


@functools.lru_cache(maxsize=200_000)
def _split(word: str) -> tuple[str, ...]:
    leaves: list[str] = []
    for part in _reading(word):
        leaves.extend(_split(part) or (part,))
    return tuple(leaves)


@functools.lru_cache(maxsize=200_000)
def _reading(word: str) -> tuple[str, ...]:
    """The best reading of ``word`` as two or more parts, or ()."""
    if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
        return ()
    lex = lexicon()
    if word in lex.others and word not in lex.nouns:  # a verb, adjective or adverb
        return () if word.startswith(PARTICIPLE) else _best(word, noun=False)
    found = _best(word, noun=True) or _street(word)
    if not found and not lex.knows(word):  # unknown: perhaps an adjective (feuerhemmend)
        found = _best(word, noun=False)
    return found


@functools.lru_cache(maxsize=200_000)
def _best(word: str, noun: bool) -> tuple[str, ...]:
    """``word`` as parts whose last one ends a noun (or an adjective): the fewest parts,
    then the longest last part (``haupt`` + ``strasse``, not ``haupts`` + ``trasse``)."""
    lex = lexicon()
    best: tuple[str, ...] = ()
    for cut in range(len(word) - 2, 1, -1):
        first = word[:cut]
        if not _first_ok(first, lex, noun):
            continue
        for link in _links(first, lex):
            if not word.startswith(link, cut):
                continue
            tail = _tail(word[cut + len(link) :], lex, noun, first)
            if tail and _better((first, *tail), best):
                best = (first, *tail)
    return best


def _links(first: str, lex: Lexicon) -> tuple[str, ...]:
    """The linking elements that may follow ``first``: a verb stem takes none or -e-
    (Wohnhaus, Wartezimmer; Schornstein is not schor-n-stein), -ung and its kin take -s-."""
    if first.endswith(S_LINKED):
        return ("s",)
    if first in lex.stems and first not in lex.nouns and first not in lex.firsts:
        return ("", "e")
    return LINKS


def _better(reading: tuple[str, ...], best: tuple[str, ...]) -> bool:
    if not best:
        return True
    return (len(reading), -len(reading[-1])) < (len(best), -len(best[-1]))


def _tail(rest: str, lex: Lexicon, noun: bool, first: str) -> tuple[str, ...]:
    """``rest`` as the last part after ``first``, else as parts of its own."""
    if _last_ok(rest, lex, noun, first):
        return (rest,)
    return _best(rest, noun) if len(rest) >= MIN_COMPOUND else ()


def _first_ok(part: str, lex: Lexicon, noun: bool) -> bool:
    if part in SHORT_PARTS:
        return True
    if len(part) < MIN_PART or part in NOT_FIRST:
        return False
    if not noun:  # an adjective or verb is read only as noun + word (feuer + hemmend)
        return part in lex.nouns or part in lex.stems or (part in lex.firsts and part in lex.lasts)
    if part in lex.nouns or part in lex.stems or part in lex.firsts:
        return True
    return part in PLACE_PREFIXES or part in ADJECTIVE_FIRSTS


def _last_ok(part: str, lex: Lexicon, noun: bool, first: str) -> bool:
    if part in NOT_LAST or part in STOPWORDS:
        return False
    if len(part) < MIN_PART:  # Bauamt, Neubau; not Magistrat, Quadrat
        return (
            noun
            and part in SHORT_PARTS
            and (
                first in lex.nouns
                or first in lex.stems
                or first in lex.firsts
                or first in SHORT_PARTS
            )
        )
    if first in PLACE_PREFIXES and stem(part) not in PLACE_HEADS:
        return False  # Untergeschoss, but not Unterlage
    if noun:  # a noun, or a verb as a noun: Bauvorhaben, Genehmigungsverfahren
        return (
            part in lex.nouns
            or part in lex.lasts
            or (part.endswith("en") and part[:-2] in lex.stems)
        )
    if part in ADVERB_ENDS:
        return False
    if part.startswith("ge"):  # a participle: einsturz + gefährdet, not weiter + geleitet
        return part in lex.others and first in lex.nouns and first not in lex.others
    return part in lex.others


def _street(word: str) -> tuple[str, ...]:
    """An unknown first part before the head of a street name (``subbelrather`` + ``strasse``)."""
    for head in sorted(STREET_HEADS, key=len, reverse=True):
        if word.endswith(head) and len(word) - len(head) >= MIN_PART:
            return (word[: -len(head)], head)
    return ()
