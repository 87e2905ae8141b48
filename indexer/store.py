"""The index on disk: generations, an atomic switch between them, and a health check.

``<index_dir>/CURRENT`` names the live generation (``gen-000001`` …).  A
rebuild writes a new generation beside the live one and then replaces
``CURRENT`` atomically; searches keep using the old one until they reopen.
A missing or damaged index is detected by :meth:`IndexStore.check` and
reported as :class:`IndexUnusable`, so the caller can rebuild it from the
database instead of crashing or silently finding nothing.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.query import Every

from .errors import IndexUnusable
from .schema import make_schema

log = logging.getLogger(__name__)
POINTER = "CURRENT"
VERSION_FILE = "BAUAKTE_SCHEMA"
SCHEMA_VERSION = "7"
"""Bump when the schema or the analysis changes: older generations are then rebuilt."""
ATTEMPTS = 4
"""Tries before an index is called unusable: a committing writer deletes the files of the
segments it merged (and the old table of contents), so a reader that listed them a moment
earlier finds them gone.  Whoosh retries that inside ``Index.reader`` only; ``open_dir``
and a first read can meet it too.  A damaged index fails every try."""


def _release_damaged_files() -> None:
    """Whoosh leaves the files of a segment it failed to read open; close them now, quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _settled(attempt: Callable[[], Index]) -> Index:
    for n in range(1, ATTEMPTS):
        try:
            return attempt()
        except IndexUnusable:
            time.sleep(0.05 * n)
    return attempt()  # the last try's IndexUnusable is the caller's


class IndexStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def current_path(self) -> Path | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name

    def open(self) -> Index:
        return _settled(self._open_once)

    def check(self) -> Index:
        """Open the index and read every segment once; IndexUnusable if anything fails."""
        return _settled(self._check_once)

    def _open_once(self) -> Index:
        path = self.current_path
        if path is None or not whoosh_index.exists_in(str(path)):
            raise IndexUnusable(f"no search index in {self.root}")
        try:
            version = (path / VERSION_FILE).read_text().strip()
        except FileNotFoundError:
            version = "?"
        if version != SCHEMA_VERSION:
            raise IndexUnusable(
                f"search index in {path} was built by another version (schema {version}, "
                f"this version needs {SCHEMA_VERSION})"
            )
        try:
            return whoosh_index.open_dir(str(path))
        except Exception as exc:  # whoosh raises many kinds on damaged files
            problem = repr(exc)
        _release_damaged_files()  # after the except block, so the traceback is gone
        raise IndexUnusable(f"search index in {path} cannot be opened: {problem}")

    def _check_once(self) -> Index:
        ix = self._open_once()
        try:
            with ix.searcher() as searcher:
                for reader, _ in searcher.reader().leaf_readers():
                    count = reader.doc_count_all()
                    for docnum in {0, count - 1} if count else ():
                        reader.stored_fields(docnum)
                    for fieldname in ("doc", "text"):
                        next(iter(reader.lexicon(fieldname)), None)
                searcher.search(Every(), limit=1)
        except Exception as exc:
            problem = repr(exc)
        else:
            return ix
        del ix
        _release_damaged_files()  # after the except block, so the traceback is gone
        raise IndexUnusable(f"search index in {self.current_path} is damaged: {problem}")

    def new_generation(self) -> tuple[Path, Index]:
        self.root.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        path = self.root / f"gen-{max(existing, default=0) + 1:06d}"
        path.mkdir()
        ix = whoosh_index.create_in(str(path), make_schema())
        (path / VERSION_FILE).write_text(SCHEMA_VERSION)
        return path, ix

    def switch_to(self, path: Path) -> None:
        """Make ``path`` the live generation (atomic).

        The generation it replaces stays on disk until the next switch, so a
        search that read the old pointer a moment ago can still open it.
        """
        previous = self.current_path
        tmp = self.root / f".{POINTER}.tmp"
        tmp.write_text(path.name)
        os.replace(tmp, self.root / POINTER)
        for old in self.root.glob("gen-*"):
            if old not in (path, previous):
                shutil.rmtree(old, ignore_errors=True)
        log.info("search index switched to %s", path)

    def create_empty(self) -> Index:
        path, ix = self.new_generation()
        self.switch_to(path)
        return ix
