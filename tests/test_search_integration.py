"""Search against real instances (SQLite + files, PostgreSQL + MinIO): permissions in the
query, the outbox keeping the index true, a damaged index rebuilt, search during ingest."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

import ingest
from docstore.models import AuditEvent, Document, Grant, Page, Role, utcnow
from docstore.services import building_files, documents, grants, users
from docstore.services import outbox as documents_outbox
from docstore.services.actors import CONSOLE
from indexer.backend import IndexUnusable
from indexer.whoosh_backend import WhooshBackend
from ingest.index_sync import reindex, search_backend, sync_index
from tests.conftest import BAUAKTE
from tests.ingest.conftest import instance  # noqa: F401 - the fixture
from tests.ingest.samples import text_pdf
from viewer.search_service import search_as

PASSWORD = "a-long-enough-secret"


def make_batch(folder: Path, files: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        text_pdf(folder / f"63-BA-2020-{i:04d}_baugenehmigung_2020-0{i % 9 + 1}-01_Wohnhaus.pdf",
                 pages=2, marker=f"Vorgang {i} Dachgeschoss")  # fmt: skip
    return folder


@pytest.fixture
def archive(instance, tmp_path):  # noqa: F811
    ingest.run([make_batch(tmp_path / "batch")], instance)
    with instance.db.transaction() as s:
        clerk = users.create_user(s, "clerk.one", PASSWORD, Role.CLERK, actor=CONSOLE)
        citizen = users.create_user(s, "citizen.one", PASSWORD, Role.CITIZEN, actor=CONSOLE)
        bf = building_files.get_by_aktenzeichen(s, "63-BA-2020-0003")
        grants.grant_access(
            s, citizen, bf, actor=clerk, valid_until=utcnow() + dt.timedelta(days=1)
        )
    return instance


def test_external_user_sees_only_granted_file_until_it_expires(archive) -> None:
    staff = search_as(archive, "clerk.one", "Baugenehmigung")
    assert staff.total == 6
    mine = search_as(archive, "citizen.one", "Baugenehmigung")
    assert mine.total == 1
    assert [r.aktenzeichen for r in mine.results] == ["63-BA-2020-0003"]
    assert mine.facets["kind"] == {"baugenehmigung": 1}
    assert search_as(archive, "citizen.one", "Vorgang 4").total == 0  # hits elsewhere stay hidden
    with archive.db.transaction() as s:  # the grant expires; no reindex in between
        s.execute(update(Grant).values(valid_until=utcnow() - dt.timedelta(seconds=1),
                                       valid_from=utcnow() - dt.timedelta(days=2)))  # fmt: skip
    assert search_as(archive, "citizen.one", "Baugenehmigung").total == 0
    with archive.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "search")).all()
    assert [(e.actor_name, json.loads(e.details)["hits"]) for e in events][-2:] == [
        ("citizen.one", 0), ("citizen.one", 0)
    ]  # fmt: skip
    assert search_as(archive, None, "Baugenehmigung").total == 0  # not signed in: nothing


def test_edits_and_deletes_reach_search_through_the_outbox(archive) -> None:
    with archive.db.transaction() as s:
        doc = s.scalar(select(Document).where(Document.original_name.like("63-BA-2020-0001%")))
        documents.update_document(s, doc, actor=CONSOLE, title="Abbruchgenehmigung Scheune",
                                  kind="bescheinigung")  # fmt: skip
        gone = s.scalar(select(Document).where(Document.original_name.like("63-BA-2020-0002%")))
        gone_id = gone.id
        documents.delete_document(s, gone, actor=CONSOLE)
    assert search_as(archive, CONSOLE, "Scheune").total == 0  # not yet synced
    assert sync_index(archive) == 2
    edited = search_as(archive, CONSOLE, "Scheune")
    assert [r.kind for r in edited.results] == ["bescheinigung"]
    assert search_as(archive, CONSOLE, "abbruch").total == 1  # compound part of the new title
    assert gone_id not in [
        r.document_id for r in search_as(archive, CONSOLE, "Baugenehmigung").results
    ]
    assert search_as(archive, CONSOLE, "Baugenehmigung").total == 5
    assert sync_index(archive) == 0  # the outbox is drained


def test_moves_and_address_edits_reach_search(archive) -> None:
    with archive.db.transaction() as s:
        target = building_files.get_by_aktenzeichen(s, "63-BA-2020-0003")
        doc = s.scalar(select(Document).where(Document.original_name.like("63-BA-2020-0004%")))
        documents.assign_document(s, doc, target, actor=CONSOLE)
        building_files.update_building_file(s, target, actor=CONSOLE, street="Rosenweg",
                                            district="Nippes")  # fmt: skip
    sync_index(archive)
    moved = search_as(archive, "citizen.one", "Baugenehmigung")  # the grant covers the new home
    assert moved.total == 2
    assert {r.address for r in moved.results} == {"Rosenweg"}
    assert search_as(archive, CONSOLE, "strasse:Rosenweg bezirk:Nippes").total == 2


def _damage(archive) -> None:
    """Whoosh: segments cut short; OpenSearch: the live index closed."""
    backend = search_backend(archive)
    if isinstance(backend, WhooshBackend):
        for seg in backend.store.current_path.glob("*.seg"):
            with seg.open("r+b") as f:
                f.truncate(seg.stat().st_size // 3)
    else:
        backend.client.indices.close(index=backend.alias)


def _remove(archive) -> None:
    backend = search_backend(archive)
    if isinstance(backend, WhooshBackend):
        shutil.rmtree(archive.config.index_dir)
    else:
        backend.client.indices.delete(index=f"{backend.alias}-*", expand_wildcards="all")


# Whoosh keeps the handle of the segment it failed to read until it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_damaged_index_is_rebuilt_from_the_database(archive) -> None:
    before = search_backend(archive).generation()
    _damage(archive)
    with pytest.raises(IndexUnusable):
        search_backend(archive).check()
    results = search_as(archive, CONSOLE, "Dachgeschoss")
    assert results.total == 6
    assert search_backend(archive).generation() != before
    search_backend(archive).check()  # healthy now


def test_missing_index_is_rebuilt(archive) -> None:
    _remove(archive)
    assert search_as(archive, CONSOLE, "Dachgeschoss").total == 6


class Searching:
    """Searches in background threads until the block ends; keeps totals and errors."""

    def __init__(self, archive, threads: int = 1) -> None:
        self.instance = archive
        self.errors: list[BaseException] = []
        self.totals: list[int] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                self.totals.append(search_as(self.instance, CONSOLE, "Dachgeschoss").total)
            except BaseException as exc:  # any failure fails the test
                self.errors.append(exc)
                return

    def __enter__(self) -> Searching:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


@pytest.mark.slow
def test_search_while_ingest_writes(archive, tmp_path) -> None:
    with Searching(archive, threads=2) as searching:
        more = tmp_path / "more"
        more.mkdir()
        for i in range(8):
            text_pdf(more / f"63-BA-2021-{i:04d}_statik.pdf", pages=1, marker=f"Dachgeschoss {i}")
        ingest.run([more], archive)
    assert searching.errors == []
    assert searching.totals and min(searching.totals) >= 6 and max(searching.totals) <= 14
    assert search_as(archive, CONSOLE, "Dachgeschoss").total == 14


def test_cli_search_json(archive) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(archive.config.home),
           "BAUAKTE_DATABASE_URL": archive.config.database_url,
           "BAUAKTE_STORAGE_URL": archive.config.storage_url,
           "BAUAKTE_SEARCH_URL": archive.config.search_url,
           "BAUAKTE_SEARCH_INDEX": archive.config.search_index}  # fmt: skip
    run = subprocess.run([BAUAKTE, "search", "--json", "--as", "citizen.one", "Dachgeschoss"],
                         env=env, capture_output=True, text=True, check=True)  # fmt: skip
    data = json.loads(run.stdout)
    assert data["total"] == 1 and data["approximate"] is False
    [hit] = data["results"]
    assert set(hit) >= {"document_id", "title", "original_name", "kind", "building_file", "pages"}
    assert hit["building_file"]["aktenzeichen"] == "63-BA-2020-0003"
    assert "<mark" in hit["pages"][0]["snippet"]
    text = subprocess.run([BAUAKTE, "search", "Dachgeschos"], env=env, capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "approximate" in text


def test_searches_go_on_during_a_rebuild(archive) -> None:
    with Searching(archive) as searching:
        before = search_backend(archive).generation()
        for _ in range(3):
            reindex(archive)
        assert search_backend(archive).generation() != before
    assert searching.errors == [] and searching.totals and set(searching.totals) == {6}
    if isinstance(search_backend(archive), WhooshBackend):
        assert len(list(archive.config.index_dir.glob("gen-*"))) == 2  # live + the one before


def _sync_many(settings: dict[str, str]) -> None:
    from docstore.config import load_config
    from docstore.instance import Instance

    inst = Instance(load_config(settings, environ={}))
    for _ in range(5):
        with inst.db.transaction() as s:
            for doc_id in s.scalars(select(Document.id)).all():
                documents_outbox.enqueue(s, doc_id)
        sync_index(inst)
    inst.close()


@pytest.mark.slow
def test_two_writers_never_corrupt_the_index(archive) -> None:
    import multiprocessing

    config = archive.config
    settings = {"home": str(config.home), "database_url": config.database_url,
                "storage_url": config.storage_url, "search_url": config.search_url,
                "search_index": config.search_index}  # fmt: skip
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_sync_many, args=(settings,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    search_backend(archive).check()
    assert search_as(archive, CONSOLE, "Dachgeschoss").total == 6
    with archive.db.session() as s:
        pages = s.scalar(select(func.count()).select_from(Page))
    assert search_backend(archive).count() == pages  # no page twice, none lost
