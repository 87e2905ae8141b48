"""One long-lived searcher per process, shared by threads, renewed when the index changes.

Opening a Whoosh searcher reads every segment's files; doing that once per
query would cost more than the search itself.  Threads lease the current
searcher (as Lucene's SearcherManager does): after a commit the next lease
gets a newly opened searcher, and the old one is closed when its last
lease ends.  Whoosh's own ``Searcher.refresh`` cannot be used here: it
shares segment readers between old and new searcher and closes the rest
while other threads may still be searching them.

Threads take turns on one searcher: Whoosh reads postings by seeking and reading a file
object its segment readers share, so two threads searching at once can read each other's
bytes ("Block tag error"). Searching is pure Python under the GIL, so taking turns costs
a process no throughput; a rebuild's new searcher has a turn of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from whoosh.index import Index
from whoosh.searching import Searcher


@dataclass
class _Lease:
    searcher: Searcher
    users: int = 0
    retired: bool = False
    turn: threading.RLock = field(default_factory=threading.RLock)


class IndexReader:
    """``live`` names the live generation (a rebuild in another process switches it);
    when it changes, the next lease opens the index again."""

    def __init__(
        self, open_index: Callable[[], Index], live: Callable[[], object] | None = None
    ) -> None:
        self._open = open_index
        self._live = live or (lambda: None)
        self._generation: object = None
        self._index: Index | None = None
        self._current: _Lease | None = None
        self._lock = threading.Lock()

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """The latest searcher, kept open until the block ends."""
        with self._lock:
            lease = self._latest()
            lease.users += 1
        try:
            with lease.turn:
                yield lease.searcher
        finally:
            with self._lock:
                lease.users -= 1
                if lease.retired and lease.users == 0:
                    lease.searcher.close()

    def _latest(self) -> _Lease:
        current = self._current
        generation = self._live()
        if generation != self._generation:
            self._retire()
            current = None
        if current is not None and current.searcher.up_to_date():
            return current
        if current is None or self._index is None:
            self._index = self._open()
            self._generation = generation
        self._retire()
        self._current = _Lease(self._index.searcher())
        return self._current

    def _retire(self) -> None:
        if self._current is not None:
            self._current.retired = True
            if self._current.users == 0:
                self._current.searcher.close()
            self._current = None

    def reopen(self) -> None:
        """After a rebuild switched generations: the next lease opens the live one."""
        with self._lock:
            self._retire()

    def close(self) -> None:
        self.reopen()
