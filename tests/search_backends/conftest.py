"""Every search backend, built empty for each test, behind the one interface.

A backend joins the suite by adding a factory to ``BACKENDS`` and a way to damage
its index to ``DAMAGE``.  OpenSearch runs on the session's real three-node cluster,
each test on indexes of its own.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.opensearch_backend import OpenSearchBackend
from indexer.whoosh_backend import WhooshBackend


def _whoosh(folder: Path, request: pytest.FixtureRequest) -> WhooshBackend:
    return WhooshBackend(folder / "index")


def _opensearch(folder: Path, request: pytest.FixtureRequest) -> OpenSearchBackend:
    """Indexes named after the test's folder: every test (and folder) its own."""
    cluster = request.getfixturevalue("opensearch_cluster")
    prefix = "t-" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    request.addfinalizer(lambda: cluster.drop_indexes(prefix))
    return OpenSearchBackend(cluster.urls, prefix, replicas="1")


def _close_opensearch(backend: OpenSearchBackend) -> None:
    """The index behind the alias closed (as an operator's mistake or a lost disk would
    leave it): searches and writes fail until it is rebuilt."""
    backend.client.indices.close(index=backend.alias)


def _damage_whoosh(backend: WhooshBackend) -> None:
    """Garbage over the middle third of every segment, under a searcher already open
    (the same length: a searcher maps the files, and a shorter file would crash it)."""
    path = backend.store.current_path
    assert path is not None
    for segment in path.glob("*.seg"):
        size = segment.stat().st_size
        with segment.open("r+b") as f:
            f.seek(size // 3)
            f.write(random.Random(size).randbytes(size // 3))


BACKENDS: dict[str, Callable[[Path, pytest.FixtureRequest], SearchBackend]] = {
    "whoosh": _whoosh, "opensearch": _opensearch,
}  # fmt: skip
DAMAGE: dict[str, Callable] = {"whoosh": _damage_whoosh, "opensearch": _close_opensearch}


@dataclass
class Change:
    document_id: int
    pages: list | None


@dataclass
class Batch:
    token: int
    changes: list[Change]


@dataclass
class Source:
    """An outbox and the documents it was filled from, as docstore's OutboxSource is."""

    documents: dict[int, list] = field(default_factory=dict)
    queued: list[Change] = field(default_factory=list)

    def put(self, document_id: int, pages: list | None) -> None:
        if pages is None:
            self.documents.pop(document_id, None)
        else:
            self.documents[document_id] = pages
        self.queued.append(Change(document_id, pages))

    def claim(self, limit: int) -> Batch | None:
        return Batch(len(self.queued[:limit]), self.queued[:limit]) if self.queued else None

    def acknowledge(self, batch: Batch) -> None:
        del self.queued[: batch.token]

    def all_documents(self) -> Iterator[Change]:
        return iter([Change(d, p) for d, p in self.documents.items()])

    def watermark(self) -> int:
        return len(self.queued)

    def acknowledge_through(self, mark: int) -> None:
        del self.queued[:mark]


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, tmp_path) -> Iterator[SearchBackend]:
    made = BACKENDS[request.param](tmp_path, request)
    made.ensure()
    yield made
    made.close()


@pytest.fixture
def damage(backend) -> Callable[[], None]:
    return lambda: DAMAGE[backend.name](backend)
