"""Every search backend, built empty for each test, behind the one interface.

A backend joins the suite by adding a factory to ``BACKENDS`` and a way to damage
its index to ``DAMAGE`` (the cluster backend of issue 17 joins here).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexer.backend import SearchBackend
from indexer.whoosh_backend import WhooshBackend


def _whoosh(folder: Path) -> WhooshBackend:
    return WhooshBackend(folder / "index")


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


BACKENDS: dict[str, Callable[[Path], SearchBackend]] = {"whoosh": _whoosh}
DAMAGE: dict[str, Callable] = {"whoosh": _damage_whoosh}


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
    made = BACKENDS[request.param](tmp_path)
    made.ensure()
    yield made
    made.close()


@pytest.fixture
def damage(backend) -> Callable[[], None]:
    return lambda: DAMAGE[backend.name](backend)
