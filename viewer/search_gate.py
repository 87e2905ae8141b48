"""Load shedding for search: a bound on the searches one server process runs at once.

A search holds a web thread for as long as the index takes; on a busy machine that is
seconds, and unbounded searches would take every thread from the people turning pages.
Past the bound a search waits briefly for a slot, and only a few may wait: the rest are
refused at once with an honest "busy, try again" (503 with ``Retry-After``), not queued
until the proxy gives up.  So at most ``slots`` + ``slots // 2`` threads are in search.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from docstore.errors import Busy

SLOT_WAIT_SECONDS = 0.5
"""How long a search waits for a free slot: a burst is smoothed, an overload is refused."""


class SearchBusy(Busy):
    """Every search slot of this process stayed taken (or enough searches wait already)."""

    default_code = "search.busy"


class SearchGate:
    """At most ``slots`` searches at once, ``slots // 2`` (at least one) waiting for one;
    shared by the threads of one process."""

    def __init__(self, slots: int, wait: float = SLOT_WAIT_SECONDS) -> None:
        self.slots = slots
        self.wait = wait
        self.most_waiting = max(1, slots // 2)
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Searches waiting for a slot now."""
        return self._waiting

    @contextlib.contextmanager
    def admitted(self) -> Iterator[None]:
        """Run the body in a slot; SearchBusy if none came free within ``wait`` seconds,
        or at once when ``most_waiting`` searches wait already."""
        if not self._free.acquire(blocking=False) and not self._waited():
            raise SearchBusy(
                f"all {self.slots} search slots of this server are busy: try again in a few seconds"
            )
        try:
            yield
        finally:
            self._free.release()

    def _waited(self) -> bool:
        """Wait for a slot if few enough others wait; True once one is ours."""
        with self._lock:
            if self._waiting >= self.most_waiting:
                return False
            self._waiting += 1
        try:
            return self._free.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self._waiting -= 1
