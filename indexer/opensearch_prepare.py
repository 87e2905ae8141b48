"""Pages made into OpenSearch documents for a rebuild, in a pool of processes: the
German analysis is the costly part of a rebuild, and it is plain Python."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator

from .opensearch_mapping import document_id, page_document
from .page_fields import as_record
from .records import Change

PREPARE_CHUNK = 200
"""Documents one analysing process takes at a time."""


class Counted:
    def __init__(self, items: Iterable[Change]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[Change]:
        for item in self.items:
            self.count += 1
            yield item


def chunks(changes: Iterable[Change], size: int) -> Iterator[list[tuple[int, list]]]:
    """Changes as plain picklable tuples, ``size`` at a time."""
    chunk: list[tuple[int, list]] = []
    for change in changes:
        chunk.append((change.document_id, [as_record(p) for p in change.pages or ()]))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def prepared(chunk: list[tuple[int, list]]) -> list[tuple[str, dict]]:
    return [(document_id(r), page_document(r)) for _, records in chunk for r in records]


@contextlib.contextmanager
def preparing(procs: int | None) -> Iterator[Callable[[Iterable], Iterator[list]]]:
    """``prepare(chunks)``: each chunk's (id, source) pairs, in order, made by a pool of
    processes (forked: the word list is read once, before)."""
    import multiprocessing
    import os

    procs = procs or os.cpu_count() or 1
    if procs == 1:
        yield lambda chunks: map(prepared, chunks)
        return
    from .lexicon import lexicon

    lexicon()
    with multiprocessing.get_context("fork").Pool(procs, initializer=_own_signals) as pool:
        yield lambda chunks: pool.imap(prepared, chunks)


def _own_signals() -> None:
    """A forked process inherits its parent's signal handling. In a queue worker that is
    asyncio's: a wakeup socket shared with the worker and a SIGTERM handler that does
    nothing. The SIGTERM the pool sends its processes at the end then either reached the
    worker's loop as a stop request of its own, or was ignored and the pool waited for
    ever. Each process of the pool takes the default handling instead."""
    import signal

    with contextlib.suppress(ValueError):  # not the main thread: nothing was inherited
        signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
