"""Keeping the search index in step with the database: the one sync step, and rebuilds.

Ingest calls :func:`sync_index` after each batch; the web app and ``bauakte
index sync`` call it too.  Only this step writes the index.
"""

from __future__ import annotations

import logging

from whoosh.index import Index

from docstore.instance import Instance
from docstore.services.outbox import OutboxSource
from indexer.store import IndexStore, IndexUnusable
from indexer.writer import rebuild, sync

log = logging.getLogger(__name__)


def index_store(instance: Instance) -> IndexStore:
    return IndexStore(instance.config.index_dir)


def ensure_index(instance: Instance) -> None:
    """Create an empty index if there is none (``bauakte init``)."""
    store = index_store(instance)
    if store.current_path is None:
        store.create_empty()


def sync_index(instance: Instance) -> int:
    """Drain the outbox into the index; returns the number of documents (re)indexed."""
    return sync(index_store(instance), OutboxSource(instance.db))


def reindex(instance: Instance) -> int:
    """Rebuild the whole index from the database into a new generation, swapped in atomically."""
    return rebuild(index_store(instance), OutboxSource(instance.db))


def open_index(instance: Instance) -> Index:
    """The live index, checked; a missing or damaged one is rebuilt from the database."""
    store = index_store(instance)
    before = store.current_path
    try:
        return store.check()
    except IndexUnusable as exc:
        problem = exc
    if store.current_path != before:  # a rebuild switched generations meanwhile
        return store.check()
    log.warning("%s; rebuilding it from the database", problem)
    count = reindex(instance)
    log.warning("search index rebuilt: %d documents", count)
    return store.check()
