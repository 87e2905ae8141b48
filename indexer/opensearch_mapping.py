"""How a page is held in OpenSearch: our own analysis' terms, not OpenSearch's analysers.

Bauakte's German analysis (``indexer.analysis``: folding, stemming, compound parts,
old spellings) runs in Python and OpenSearch indexes the terms it made, split only
at spaces (the built-in ``whitespace`` analyser).  So both backends index the same
terms, the query parser builds the same query for both, and the conformance suite
gives the same answers; the minimal distribution needs no analysis plugin.

A word's first term (the whole word, stemmed) goes to ``text`` in word order, for
phrases; the other terms of the same word (compound parts, the modern spelling) to
``text_more``, which has no positions.  A phrase therefore matches the words as
written, not their parts; stop words leave no gap (a phrase's slop already allows one
for each stop word it holds).
"""

from __future__ import annotations

from typing import Any

from .analysis import exact_terms, index_terms
from .page_fields import page_fields
from .records import PageRecord

TERMS = {"type": "text", "analyzer": "whitespace", "index_options": "freqs", "norms": True}
KEYWORD = {"type": "keyword"}
STORED = {"type": "keyword", "index": False, "doc_values": False}
ANALYSED_FIELDS = ("text", "text_more", "exact", "title", "strasse")
KEYWORD_FIELDS = ("page_id", "doc", "docfacets", "bf", "aktenzeichen", "az", "azteile",
                  "hausnr", "plz", "gemarkung", "flur", "flurstueck", "bezirk", "kind",
                  "decade", "source", "audience")  # fmt: skip


INNER_WINDOW = 10_000
"""How many pages of one document a search may show (index.max_inner_result_window,
100 by default): the viewer asks for all matching pages of the document it shows."""


def index_body(shards: int, replicas: int) -> dict[str, Any]:
    properties: dict[str, Any] = {name: KEYWORD for name in KEYWORD_FIELDS}
    properties.update({name: TERMS for name in ANALYSED_FIELDS})
    properties["text"] = {"type": "text", "analyzer": "whitespace"}  # positions: phrases
    properties.update(
        page={"type": "integer"}, year={"type": "integer"}, sortdate={"type": "integer"},
        date={"type": "date"}, valid_until={"type": "date"}, inbox={"type": "boolean"},
        body={"type": "text", "index": False}, heading=STORED, address=STORED,
        original_name=STORED,
    )  # fmt: skip
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "max_inner_result_window": INNER_WINDOW,
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_source": {"excludes": list(ANALYSED_FIELDS)},  # terms are made again, not read
            "properties": properties,
        },
    }


def document_id(record: PageRecord) -> str:
    """One index document per page and audience: a redacted page is there twice."""
    return f"{record.page_id}:{record.audience or 'all'}"


def page_document(record: PageRecord) -> dict[str, Any]:
    """The OpenSearch source of one page: the same fields as Whoosh's, terms pre-made."""
    fields = page_fields(record)
    first, more = _text_terms(record.text)
    document: dict[str, Any] = {
        name: fields[name]
        for name in ("page_id", "doc", "bf", "page", "aktenzeichen", "bezirk", "kind", "decade",
                     "source", "inbox", "sortdate", "audience", "address", "original_name")
        if fields.get(name) not in (None, "")
    }  # fmt: skip
    document.update(
        text=first, text_more=more, body=record.text, heading=record.title or "",
        exact=" ".join(term for term, *_ in exact_terms(fields["exact"])),
        title=_terms(fields["title"]), strasse=_terms(fields["strasse"]),
        az=fields.get("az", "").split(), azteile=fields.get("azteile", "").split(),
        hausnr=fields.get("hausnr", "").split(),
        gemarkung=_listed(fields["gemarkung"]), flur=_listed(fields["flur"]),
        flurstueck=_listed(fields["flurstueck"]),
    )  # fmt: skip
    document["docfacets"] = document_key(fields)
    if "plz" in fields:
        document["plz"] = fields["plz"]
    if "year" in fields:
        document.update(year=fields["year"], date=fields["date"].date().isoformat())
    if "valid_until" in fields:
        document["valid_until"] = fields["valid_until"].date().isoformat()
    return document


FACET_FIELDS = ("kind", "decade", "bezirk")


def document_key(fields: dict[str, Any]) -> str:
    """The document with its facet values and date in one value, the same on each of its
    pages: one aggregation over it lists every matching document once, ready to count."""
    values = [str(fields["doc"]), *(str(fields.get(f) or "") for f in FACET_FIELDS)]
    return "\t".join([*values, str(fields.get("sortdate") or 0)])


def read_document_key(key: str) -> tuple[str, dict[str, str], int]:
    """(document id, facet values, date ordinal) of a ``document_key``."""
    doc, *facets, sortdate = key.split("\t")
    return doc, dict(zip(FACET_FIELDS, facets, strict=True)), int(sortdate)


def _text_terms(text: str) -> tuple[str, str]:
    """(each word's first term in word order, the other terms of the words)."""
    first: list[str] = []
    more: list[str] = []
    last = -1
    for term, position, _start, _end in index_terms(text):
        if position != last:
            first.append(term)
            last = position
        else:
            more.append(term)
    return " ".join(first), " ".join(more)


def _terms(text: str) -> str:
    return " ".join(term for term, *_ in index_terms(text))


def _listed(value: str) -> list[str]:
    """A comma-separated field as Whoosh's KEYWORD(commas=True, lowercase=True) reads it."""
    return [part.strip().lower() for part in value.split(",") if part.strip()]
