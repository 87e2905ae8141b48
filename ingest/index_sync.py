"""Keeping the search index in step with the database: the one sync step, and rebuilds.

Ingest calls :func:`sync_index` after each batch; the web app (after a change) and
``bauakte index sync`` call it too.  Only this step writes the index, and only
through the configured :class:`~indexer.backend.SearchBackend`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from docstore.instance import Instance
from docstore.services.outbox import OutboxSource
from indexer.backend import IndexBusy, IndexUnusable, SearchBackend
from indexer.errors import SearchUnreachable
from indexer.whoosh_backend import WhooshBackend

log = logging.getLogger(__name__)

WEB_LOCK_WAIT = 1.0
"""Seconds a web request waits for another writer before leaving its change queued."""


def search_backend(instance: Instance) -> SearchBackend:
    """The instance's search engine: OpenSearch when ``search_url`` names its nodes, else
    the embedded Whoosh index in ``index_dir``."""
    config = instance.config
    if config.search_url:
        from indexer.opensearch_backend import OpenSearchBackend

        hosts = [url.strip() for url in config.search_url.split(",") if url.strip()]
        return OpenSearchBackend(hosts, config.search_index)
    return WhooshBackend(config.index_dir)


@contextlib.contextmanager
def _backend_for_call(instance: Instance, given: SearchBackend | None) -> Iterator[SearchBackend]:
    """The caller's backend, or one made for this call and closed after it (a worker that
    ingests thousands of files must not leave a connection pool behind for each).  Never
    shared between calls: a backend's writer lease is its own."""
    if given is not None:
        yield given
        return
    made = search_backend(instance)
    try:
        yield made
    finally:
        made.close()


def ensure_index(instance: Instance) -> None:
    """Create an empty index if there is none (``bauakte init``)."""
    with _backend_for_call(instance, None) as backend:
        backend.ensure()


def sync_index(instance: Instance, backend: SearchBackend | None = None) -> int:
    """Drain the outbox into the index, rebuilding an unusable one first (ingest, CLI);
    returns the number of documents (re)indexed."""
    with _backend_for_call(instance, backend) as used:
        return used.sync(OutboxSource(instance.db), repair=True)


def sync_after_change(instance: Instance, backend: SearchBackend) -> bool:
    """After a change in a web request: drain the outbox so search shows it now, but never
    rebuild a damaged index nor wait long for another writer, and drain one batch (the
    change just made; a backlog is ingest's or ``bauakte index sync``'s); what fails stays
    queued for the next sync (False)."""
    try:
        backend.sync(OutboxSource(instance.db), repair=False, wait=WEB_LOCK_WAIT, batches=1)
    except (IndexUnusable, IndexBusy) as exc:
        log.warning("search index not synced after a change (%s); the outbox keeps it", exc)
        return False
    except Exception:
        log.exception("search index sync failed; the outbox keeps the changes")
        return False
    return True


def reindex(instance: Instance, backend: SearchBackend | None = None) -> int:
    """Rebuild the whole index from the database into a new generation, swapped in atomically."""
    with _backend_for_call(instance, backend) as used:
        return used.rebuild(OutboxSource(instance.db))


def checked_backend(instance: Instance) -> SearchBackend:
    """For a one-shot command: the backend, its index checked; a missing or damaged one is
    rebuilt from the database first (a web request answers 503 instead)."""
    backend = search_backend(instance)
    try:
        backend.check()
    except SearchUnreachable:
        raise  # a rebuild would not reach it either
    except IndexUnusable as problem:
        log.warning("%s; rebuilding it from the database", problem)
        count = reindex(instance, backend)
        log.warning("search index rebuilt: %d documents", count)
    return backend
