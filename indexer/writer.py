"""The one place that writes the search index: apply changes, sync a source, rebuild.

Whoosh allows one writer at a time; a writer waits for the lock for a bounded
time and then fails with a clear error instead of corrupting anything.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.index import Index, LockError

from .errors import IndexBusy, IndexUnusable
from .page_fields import as_record, page_fields
from .records import Change, RecordSource
from .store import IndexStore

LOCK_WAIT_SECONDS = 60.0


def apply(
    ix: Index, changes: Iterable[Change], procs: int = 1, *, wait: float | None = None
) -> int:
    """Replace each changed document's pages (or remove them); returns documents touched.

    ``procs`` > 1 (rebuilds) analyses in several processes and leaves one segment each;
    ``wait``: seconds to wait for another writer's lock (default ``LOCK_WAIT_SECONDS``).
    """
    return _write(_writer(ix, wait, procs), changes)


def _writer(ix: Index, wait: float | None, procs: int = 1) -> Any:
    """The index's one writer (its lock held), or IndexBusy after ``wait`` seconds."""
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    options: dict[str, Any] = {"limitmb": 512}
    if procs > 1:
        options.update(procs=procs, multisegment=True)
    try:
        return ix.writer(timeout=wait, delay=0.05, **options)
    except LockError:
        raise IndexBusy(
            f"the search index stayed locked by another writer for {wait:g} s; "
            "try 'bauakte index sync' again"
        ) from None


def _write(writer: Any, changes: Iterable[Change]) -> int:
    count = 0
    try:
        for change in changes:
            writer.delete_by_term("doc", str(change.document_id))
            for page in change.pages or ():
                writer.add_document(**page_fields(as_record(page)))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    try:
        writer.commit()
    except BaseException:
        _release(writer)  # else every later writer waits for a lock nobody holds
        raise
    return count


def _release(writer: Any) -> None:
    """After a failed commit: drop the writer's temporary files and its lock, leave the TOC."""
    with contextlib.suppress(Exception):
        writer._finish()
    with contextlib.suppress(Exception):
        if writer.writelock:
            writer.writelock.release()


def sync(
    store: IndexStore,
    source: RecordSource,
    batch_size: int = 200,
    *,
    repair: bool = True,
    wait: float | None = None,
    batches: int | None = None,
) -> int:
    """Drain the source into the live index.  An unusable index is rebuilt first with
    ``repair``; without, ``IndexUnusable`` is raised and the source keeps its changes.
    ``batches``: at most this many batches (a web request drains one, the rest waits)."""
    try:
        ix = store.open()
        done = 0
        while batches is None or batches > 0:
            # claimed under the lock: a sync that claimed earlier has committed, so this
            # one reads the documents as they are now and never writes an older state
            # after a newer one (a redaction undone by a slow concurrent sync)
            try:
                ix, writer = _current_writer(store, ix, wait)
                batch = _claim(source, batch_size, writer)
                if batch is None:
                    break
                done += _write(writer, batch.changes)
            except (IndexBusy, IndexUnusable):
                raise
            except Exception:
                store.check()  # damage found by the writer: IndexUnusable; else the error stands
                raise
            source.acknowledge(batch)
            batches = None if batches is None else batches - 1
        return done
    except IndexUnusable:
        if not repair:
            raise
        return rebuild(store, source)


def _current_writer(store: IndexStore, ix: Index, wait: float | None) -> tuple[Index, Any]:
    """The live generation's writer.  A rebuild may have switched generations while this
    sync waited for the lock (the rebuild held it): writing the old one then would
    acknowledge changes the new one lacks, so the new one is opened instead."""
    while True:
        writer = _writer(ix, wait)
        if Path(ix.storage.folder) == store.current_path:
            return ix, writer
        writer.cancel()
        ix = store.open()


def _claim(source: RecordSource, batch_size: int, writer: Any) -> Any:
    """The next batch, or None with the writer given back (its lock released)."""
    try:
        batch = source.claim(batch_size)
    except BaseException:
        writer.cancel()
        raise
    if batch is None:
        writer.cancel()
    return batch


def rebuild(
    store: IndexStore, source: RecordSource, batch_size: int = 5000, procs: int | None = None
) -> int:
    """Build a fresh generation from every document, then switch to it atomically.

    Changes queued before the rebuild started are in the new generation (it
    was built from the database after them), so they are acknowledged after
    the switch; later ones stay queued for the next sync.  The live generation's
    writer lock is held throughout: a sync meanwhile would write a change into
    the old generation and acknowledge it, and the new one would lack it.
    """
    live = _live_writer(store)
    try:
        mark = source.watermark()
        procs = procs or os.cpu_count() or 1
        path, ix = store.new_generation()
        total = 0
        chunk: list[Change] = []
        for change in source.all_documents():
            chunk.append(change)
            if len(chunk) >= batch_size:
                total += apply(ix, chunk, procs)
                chunk = []
        total += apply(ix, chunk, procs)
        store.switch_to(path)
        source.acknowledge_through(mark)
        return total
    finally:
        if live is not None:
            live.cancel()


def _live_writer(store: IndexStore) -> Any:
    """The live generation's writer (its lock held), or None when there is no usable
    generation to protect (a missing or damaged one takes no writes anyway)."""
    try:
        ix = store.open()
    except IndexUnusable:
        return None
    return _writer(ix, None)
