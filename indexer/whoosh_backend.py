"""The embedded default: a Whoosh index in generations on local disk.

One writer at a time (Whoosh's lock), one long-lived searcher per process
(:class:`~indexer.reader.IndexReader`), a rebuild into a new generation switched in
atomically (:class:`~indexer.store.IndexStore`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from typing import Any

from . import retrieval, writer
from .errors import IndexUnusable
from .reader import IndexReader
from .records import Change, RecordSource
from .results import QueryRefused, Scope, SearchResults
from .store import IndexStore

UNUSABLE_SECONDS = 5.0
"""How long a generation found unusable is not opened again (a damaged index would
otherwise be checked, with retries, by every request in turn)."""


class WhooshBackend:
    name = "whoosh"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.store = IndexStore(root)
        self._reader: IndexReader | None = None
        self._lock = threading.Lock()
        self._unusable: tuple[object, float, IndexUnusable] | None = None

    def ensure(self) -> None:
        if self.store.current_path is None:
            self.store.create_empty()

    def check(self) -> None:
        self.store.check()

    def generation(self) -> str:
        path = self.store.current_path
        if path is None:
            raise IndexUnusable(f"no search index in {self.store.root}")
        return path.name

    def count(self) -> int:
        return self.store.check().doc_count()

    def apply(self, changes: Iterable[Change], *, wait: float | None = None) -> int:
        return writer.apply(self.store.open(), changes, wait=wait)

    def sync(self, source: RecordSource, *, repair: bool = False, **options: Any) -> int:
        return writer.sync(self.store, source, repair=repair, **options)

    def rebuild(self, source: RecordSource) -> int:
        done = writer.rebuild(self.store, source)
        self._unusable = None
        if self._reader is not None:
            self._reader.reopen()
        return done

    def search(self, text: str, scope: Scope, **options: Any) -> SearchResults:
        """As ``SearchBackend.search`` (its keyword options, passed on unchanged).

        Damage found by a searcher opened before it (Whoosh reads some files lazily)
        is ``IndexUnusable`` too, and a known-unusable generation fails at once for
        ``UNUSABLE_SECONDS`` instead of every request checking it again under the lock."""
        self._fail_fast()
        try:
            return retrieval.search(self._searchers(), text, scope, **options)
        except (QueryRefused, IndexUnusable) as exc:
            if isinstance(exc, IndexUnusable):
                self._remember(exc)
            raise
        except Exception as exc:
            problem = exc
        self._drop_searchers()
        try:
            self.store.check()
        except IndexUnusable as exc:
            self._remember(exc)
            raise
        if isinstance(problem, OSError):  # segments kept vanishing under the search
            raise IndexUnusable(f"search index in {self.store.root} changed under the search")
        raise problem

    def _fail_fast(self) -> None:
        known = self._unusable
        if known is not None:
            path, since, exc = known
            if path == self.store.current_path and time.monotonic() - since < UNUSABLE_SECONDS:
                raise IndexUnusable(str(exc))
            self._unusable = None

    def _remember(self, exc: IndexUnusable) -> None:
        self._unusable = (self.store.current_path, time.monotonic(), exc)

    def _drop_searchers(self) -> None:
        with self._lock:
            if self._reader is not None:
                self._reader.reopen()

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
