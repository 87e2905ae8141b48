"""The embedded default: a Whoosh index in generations on local disk.

One writer at a time (Whoosh's lock), one long-lived searcher per process
(:class:`~indexer.reader.IndexReader`), a rebuild into a new generation switched in
atomically (:class:`~indexer.store.IndexStore`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any

from . import retrieval, writer
from .reader import IndexReader
from .records import Change, RecordSource
from .results import Scope, SearchResults
from .store import IndexStore


class WhooshBackend:
    name = "whoosh"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.store = IndexStore(root)
        self._reader: IndexReader | None = None
        self._lock = threading.Lock()

    def ensure(self) -> None:
        if self.store.current_path is None:
            self.store.create_empty()

    def check(self) -> None:
        self.store.check()

    def apply(self, changes: Iterable[Change], *, wait: float | None = None) -> int:
        return writer.apply(self.store.open(), changes, wait=wait)

    def sync(self, source: RecordSource, *, repair: bool = False, wait: float | None = None) -> int:
        return writer.sync(self.store, source, repair=repair, wait=wait)

    def rebuild(self, source: RecordSource) -> int:
        done = writer.rebuild(self.store, source)
        if self._reader is not None:
            self._reader.reopen()
        return done

    def search(self, text: str, scope: Scope, **options: Any) -> SearchResults:
        """As ``SearchBackend.search`` (its keyword options, passed on unchanged)."""
        return retrieval.search(self._searchers(), text, scope, **options)

    def _searchers(self) -> IndexReader:
        """One long-lived reader per backend; a switched generation is opened anew."""
        with self._lock:
            if self._reader is None:
                self._reader = IndexReader(self.store.check, live=lambda: self.store.current_path)
            return self._reader

    def close(self) -> None:
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
