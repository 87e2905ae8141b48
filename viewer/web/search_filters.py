"""The search page's filters as the visitor chose them: kinds, districts and a year range.

They travel as their own URL parameters (``art``, ``bezirk``, ``von``, ``bis``), never
appended to the query text as syntax, so each is a chip the visitor removes with one click
and a facet takes several values.  For the index they become the query language's field
terms (``art:a OR art:b``), which the same permission filter and bounds apply to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from flask import request

from docstore.models import DocumentKind

MAX_VALUES = 6
"""Values per facet: past it, the query's word bound would refuse the search anyway."""
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_DISTRICT = re.compile(r"[\w.'-]{1,60}")
"""A district as the index holds it: one token (the query language has no quoted fields)."""
KINDS = {k.value for k in DocumentKind}


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None

    @classmethod
    def from_args(cls) -> Filters:
        kinds = tuple(dict.fromkeys(k for k in request.args.getlist("art") if k in KINDS))
        districts = tuple(dict.fromkeys(
            d.strip() for d in request.args.getlist("bezirk") if _DISTRICT.fullmatch(d.strip())
        ))  # fmt: skip
        since, until = _year(request.args.get("von")), _year(request.args.get("bis"))
        if since and until and since > until:
            since, until = until, since
        return cls(kinds[:MAX_VALUES], districts[:MAX_VALUES], since, until)

    def __bool__(self) -> bool:
        return bool(self.kinds or self.districts or self.since or self.until)

    def terms(self) -> str:
        """The filters in the query language (each facet's values joined by OR)."""
        parts = []
        for field, values in (("art", self.kinds), ("bezirk", self.districts)):
            if values:
                parts.append(" OR ".join(f"{field}:{v}" for v in values))
        if self.since or self.until:
            parts.append(f"jahr:{self.since or 1500}..{self.until or 2099}")
        return " ".join(parts)

    def args(self) -> dict[str, object]:
        """URL parameters that choose these filters."""
        found: dict[str, object] = {}
        if self.kinds:
            found["art"] = list(self.kinds)
        if self.districts:
            found["bezirk"] = list(self.districts)
        if self.since:
            found["von"] = self.since
        if self.until:
            found["bis"] = self.until
        return found

    def without(self, facet: str, value: object = None) -> Filters:
        if facet == "art":
            return replace(self, kinds=tuple(k for k in self.kinds if k != value))
        if facet == "bezirk":
            return replace(self, districts=tuple(d for d in self.districts if d != value))
        return replace(self, since=None, until=None)

    def with_decade(self, decade: str) -> Filters:
        start = int(decade[:4]) if decade[:4].isdigit() else None
        return replace(self, since=start, until=start + 9) if start else self

    def without_kinds(self) -> Filters:
        return replace(self, kinds=())


def _year(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if _YEAR.fullmatch(text) else None
