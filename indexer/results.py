"""What a search is given and answers, the same for every backend (no engine in here).

A backend takes a :class:`Scope` (computed by docstore for one user at one moment) and
:class:`Limits`, and answers :class:`SearchResults`; :class:`Wanted` says which words of
a page the query matched, for snippets and hit boxes on the page image.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from .analysis import fold, word_terms

FACETS = ("kind", "decade", "bezirk")
"""The fields every backend counts for the result page's filters."""


@dataclass(frozen=True)
class Limits:
    max_words: int = 16
    max_fuzzy_words: int = 4
    """Words beyond this many without an exact hit are matched exactly only."""
    max_expansions: int = 64
    """Spellings one fuzzy word may stand for."""
    seconds: float = 1.0
    """Time budget of one search."""


class QueryRefused(Exception):
    """The query is past a bound; ``code`` is stable ('too-many-words', 'too-costly')."""

    def __init__(self, code: str, limit: int | float) -> None:
        super().__init__(f"{code} (limit {limit})")
        self.code = code
        self.limit = limit


@dataclass(frozen=True)
class Wanted:
    stemmed: frozenset[str]
    exact: frozenset[str]
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    """Each word's answer once per query: the pages of one result list repeat most words."""

    def matches(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is None:
            known = self._seen[word] = self._matches(word)
        return known

    def _matches(self, word: str) -> bool:
        if self.stemmed.intersection(word_terms(word)):
            return True
        folded = fold(word)
        return folded in self.exact or any(
            piece in self.exact for piece in folded.replace("/", "-").replace(".", "-").split("-")
        )

    def __bool__(self) -> bool:
        return bool(self.stemmed or self.exact)


class Scope(Protocol):
    """What a user may see: everything, or these building files plus these documents;
    pages whole (``unredacted``, staff) or in their redacted version."""

    everything: bool
    building_file_ids: frozenset[int]
    document_ids: frozenset[int]
    unredacted: bool


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
    wanted: Wanted | None = None
    """The terms the query matched (for hit boxes); None without snippets."""

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "results": [r.as_json() for r in self.results],
            "facets": self.facets,
            "approximate": self.approximate,
            "page": self.page,
            "per_page": self.per_page,
        }
