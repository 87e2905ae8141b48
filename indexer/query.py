"""The query language, parsed by hand so that no input can produce an error page.

    Baugenehmigung Dach          all words must match (in text, title or address)
    "Nachweis der Standsicherheit"   a phrase
    Garage OR Carport            either (OR binds the words beside it)
    -Abriss                      must not match
    az:63-BA-2019-0457  strasse:Lindenstraße  flurstueck:112/3  gemarkung:Sülz  flur:4
    art:baugenehmigung  bezirk:Ehrenfeld  jahr:1990  jahr:1990..2005

Anything malformed (an unknown field, an open quote, a lone OR) is read as
plain words.  A word with no exact hit anywhere falls back to fuzzy matching
(edit distance 1, or 2 for words of eight letters or more): the results then
say they are approximate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh.searching import Searcher

from .analysis import fold, query_term

FIELDS = {"az", "strasse", "flurstueck", "gemarkung", "flur", "art", "bezirk", "jahr"}
KIND_NAMES = {
    "bauzeichnung/plan": "bauzeichnung", "plan": "bauzeichnung", "bescheinigung/zertifikat":
    "bescheinigung", "zertifikat": "bescheinigung",
}  # fmt: skip
_LEX = re.compile(r'(-?)"([^"]*)"|(\S+)')
_YEARS = re.compile(r"(\d{4})(?:\.\.(\d{4}))?")


@dataclass
class Parsed:
    query: q.Query
    approximate: bool = False
    words: list[str] = field(default_factory=list)
    exclude: q.Query | None = None
    """Documents with any page matching this are left out (``-word``)."""


def _word(word: str, searcher: Searcher, fuzzy: list[bool]) -> q.Query | None:
    stemmed = query_term(word)
    if stemmed is None:
        return None
    folded = fold(word)
    exact = [
        q.Term("text", stemmed), q.Term("title", stemmed), q.Term("strasse", stemmed),
        q.Term("exact", folded), q.Term("az", folded), q.Term("flurstueck", folded),
    ]  # fmt: skip
    present = [t for t in exact if searcher.doc_frequency(t.fieldname, t.text)]
    if present:
        # the unstemmed twin repeats the text field's words: only needed where text has none
        if any(t.fieldname == "text" for t in present):
            present = [t for t in present if t.fieldname != "exact"]
        return present[0] if len(present) == 1 else q.Or(present)
    if folded.isalpha() and len(folded) >= 4:
        fuzzy.append(True)
        distance = 1 if len(folded) < 8 else 2
        return q.FuzzyTerm("exact", folded, maxdist=distance, prefixlength=1)
    return q.Or(exact)


def _phrase(text: str) -> q.Query | None:
    terms = [query_term(w) for w in re.findall(r"\w+(?:[-/.]\w+)*", text)]
    stems = [t for t in terms if t]
    if not stems:
        return None
    if len(stems) == 1:
        return q.Term("text", stems[0])
    # stop words are not indexed but keep their positions: allow one gap for each
    return q.Phrase("text", stems, slop=1 + terms.count(None))


def _field(name: str, value: str) -> q.Query | None:
    value = value.strip()
    if not value:
        return None
    if name == "az":
        return q.Term("az", fold(value))
    if name == "strasse":
        stems = [s for s in (query_term(w) for w in value.replace("-", " ").split()) if s]
        return q.And([q.Term("strasse", s) for s in stems]) if stems else None
    if name in ("flurstueck", "gemarkung", "flur"):
        return q.Term(name, fold(value))
    if name == "art":
        key = fold(value)
        return q.Term("kind", KIND_NAMES.get(key, key))
    if name == "bezirk":
        return q.Term("bezirk", value)
    if name == "jahr":
        match = _YEARS.fullmatch(value)
        if not match:
            return None
        start = int(match.group(1))
        end = int(match.group(2) or start)
        return q.NumericRange("year", min(start, end), max(start, end))
    return None


def parse(text: str, searcher: Searcher) -> Parsed:
    """Parse ``text``; never raises.  An empty query matches nothing."""
    musts: list[q.Query] = []
    nots: list[q.Query] = []
    fuzzy: list[bool] = []
    words: list[str] = []
    pending_or = False
    for match in _LEX.finditer(text):
        negate, phrase, token = match.group(1), match.group(2), match.group(3)
        if token == "OR":
            pending_or = bool(musts)
            continue
        if token is not None and token.startswith("-") and len(token) > 1:
            negate, token = "-", token[1:]
        node: q.Query | None
        if phrase is not None:
            node = _phrase(phrase)
            words.extend(phrase.split())
        elif ":" in token and token.split(":", 1)[0].lower() in FIELDS:
            name, value = token.split(":", 1)
            node = _field(name.lower(), value)
            if node is None:  # unusable value: read as words
                node = _word(value, searcher, fuzzy) if value else None
        else:
            token = token.strip("\"'()[]{},;:!?")
            node = _word(token, searcher, fuzzy) if re.search(r"\w", token) else None
            words.append(token)
        if node is None:
            pending_or = False
            continue
        if negate:
            nots.append(node)
        elif pending_or:
            previous = musts.pop()
            items = [*previous.subqueries, node] if isinstance(previous, q.Or) else [previous, node]
            musts.append(q.Or(items))
        else:
            musts.append(node)
        pending_or = False
    if not musts:
        return Parsed(q.NullQuery, False, words)
    query: q.Query = q.And(musts) if len(musts) > 1 else musts[0]
    return Parsed(query, bool(fuzzy), words, q.Or(nots) if nots else None)
