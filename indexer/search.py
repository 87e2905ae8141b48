"""Searching: the permission filter inside the query, grouping per document, facets, snippets.

The caller passes what the user may see (a :class:`Scope`, computed by the
docstore service at the moment of the search; never stored in the index).
The filter is part of the Whoosh search, so totals, facets, snippets and
paging only ever count what the user may see.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from whoosh import highlight
from whoosh import query as q
from whoosh.index import Index

from .query import parse

FACETS = ("kind", "decade", "bezirk")


class Scope(Protocol):
    """What a user may see: everything, or these building files plus these documents."""

    everything: bool
    building_file_ids: frozenset[int]
    document_ids: frozenset[int]


@dataclass
class PageHit:
    number: int
    snippet: str


@dataclass
class DocumentHit:
    document_id: int
    title: str | None
    original_name: str
    kind: str
    aktenzeichen: str | None
    address: str | None
    date: dt.date | None
    score: float
    pages: list[PageHit] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "original_name": self.original_name,
            "kind": self.kind,
            "date": self.date.isoformat() if self.date else None,
            "building_file": {"aktenzeichen": self.aktenzeichen, "address": self.address},
            "pages": [{"number": p.number, "snippet": p.snippet} for p in self.pages],
        }


@dataclass
class SearchResults:
    total: int
    results: list[DocumentHit]
    facets: dict[str, dict[str, int]]
    approximate: bool
    page: int
    per_page: int

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "results": [r.as_json() for r in self.results],
            "facets": self.facets,
            "approximate": self.approximate,
            "page": self.page,
            "per_page": self.per_page,
        }


def scope_filter(scope: Scope) -> q.Query | None:
    """None for staff (everything, the inbox included); NullQuery when nothing is visible."""
    if scope.everything:
        return None
    terms = [q.Term("bf", str(i)) for i in sorted(scope.building_file_ids)]
    terms += [q.Term("doc", str(i)) for i in sorted(scope.document_ids)]
    return q.Or(terms) if terms else q.NullQuery


def search(
    ix: Index,
    text: str,
    scope: Scope,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    pages_per_document: int = 5,
) -> SearchResults:
    page = max(1, page)
    with ix.searcher() as searcher:
        parsed = parse(text, searcher)
        allowed = scope_filter(scope)
        if parsed.query is q.NullQuery or allowed is q.NullQuery:
            return SearchResults(0, [], {f: {} for f in FACETS}, parsed.approximate, page, per_page)
        hits = searcher.search(parsed.query, filter=allowed, limit=None, terms=True)
        hits.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=40)
        hits.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        excluded: set[str] = set()
        if parsed.exclude is not None:  # "-word" leaves out whole documents, not pages
            excluded = {
                h["doc"] for h in searcher.search(parsed.exclude, filter=allowed, limit=None)
            }
        groups: dict[str, list[Any]] = {}
        for hit in hits:
            if hit["doc"] not in excluded:
                groups.setdefault(hit["doc"], []).append(hit)
        ordered = list(groups.values())
        if sort == "date":
            ordered.sort(key=lambda g: g[0].get("date") or dt.datetime.min, reverse=True)
        facets = {
            f: dict(Counter(g[0].get(f) for g in ordered if g[0].get(f)).most_common())
            for f in FACETS
        }
        shown = ordered[(page - 1) * per_page : page * per_page]
        results = [_document(group, pages_per_document) for group in shown]
    return SearchResults(len(ordered), results, facets, parsed.approximate, page, per_page)


def _document(group: list[Any], pages_per_document: int) -> DocumentHit:
    best = group[0]
    date = best.get("date")
    return DocumentHit(
        document_id=int(best["doc"]),
        title=best.get("title") or None,
        original_name=best.get("original_name", ""),
        kind=best.get("kind", ""),
        aktenzeichen=best.get("aktenzeichen") or None,
        address=best.get("address") or None,
        date=date.date() if date else None,
        score=best.score,
        pages=[
            PageHit(number=hit["page"], snippet=hit.highlights("text", top=2) or _lead(hit))
            for hit in group[:pages_per_document]
        ],
    )


def _lead(hit: Any) -> str:
    from html import escape

    text = (hit.get("text") or "").strip()
    return escape(text[:160] + ("…" if len(text) > 160 else ""))
