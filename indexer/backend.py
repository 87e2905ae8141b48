"""The one interface every search engine sits behind: Whoosh embedded, a cluster later.

Ingest, docstore and the web speak only to a :class:`SearchBackend`; an engine's
own objects (Whoosh's ``Index``, its searchers and caches) stay inside its backend.
Permissions are never stored in an engine: each search is given the
:class:`~indexer.retrieval.Scope` docstore computed for that user at that moment.
Every backend runs the same conformance suite (``tests/search_backends``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from .errors import IndexBusy, IndexUnusable
from .records import Change, RecordSource
from .results import Limits, Scope, SearchResults

__all__ = ["IndexBusy", "IndexUnusable", "SearchBackend"]


class SearchBackend(Protocol):
    name: str

    def ensure(self) -> None:
        """Create an empty index if there is none (``bauakte init``)."""

    def check(self) -> None:
        """Read the whole index once; ``IndexUnusable`` if it is missing or damaged."""

    def generation(self) -> str:
        """The name of the live generation (a rebuild switches to a new one)."""

    def count(self) -> int:
        """Index documents (pages, a redacted page twice) in the live generation."""

    def apply(self, changes: Iterable[Change], *, wait: float | None = None) -> int:
        """Replace each changed document's pages (or remove them); returns documents touched.
        ``wait``: seconds to wait for another writer, then ``IndexBusy``."""

    def sync(
        self,
        source: RecordSource,
        *,
        repair: bool = False,
        wait: float | None = None,
        batches: int | None = None,
    ) -> int:
        """Drain ``source`` into the live index (at most ``batches`` batches).  An unusable
        index raises ``IndexUnusable``, or with ``repair`` is rebuilt from the source first
        (never inside a web request)."""

    def rebuild(self, source: RecordSource) -> int:
        """Build a new generation from every document, then switch to it atomically."""

    def search(
        self,
        text: str,
        scope: Scope,
        *,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        pages_per_document: int = 3,
        snippets: bool = True,
        limits: Limits | None = None,
    ) -> SearchResults:
        """What ``scope`` may see of ``text``: exact totals, facets, snippets; raises
        ``QueryRefused`` past ``limits`` and ``IndexUnusable`` when the index is."""

    def close(self) -> None:
        """Release searchers and files (a process ends, a test cleans up)."""
