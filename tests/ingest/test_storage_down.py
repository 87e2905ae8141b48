"""MinIO stopped in the middle of a batch: files fail cleanly, the rerun completes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import ingest
from docstore.models import Blob, Document
from ingest.model import Outcome
from tests.conftest import new_bucket
from tests.ingest import samples
from tests.ingest.conftest import make_instance
from tests.servers import MinioServer

pytestmark = [pytest.mark.minio, pytest.mark.slow]


class StopAfterFirst:
    def __init__(self, server: MinioServer) -> None:
        self.server = server
        self.seen = 0

    def start(self, total: int) -> None:
        pass

    def pages_done(self, path: str, done: int, total: int) -> None:
        pass

    def file_done(self, report) -> None:
        self.seen += 1
        if self.seen == 1:
            self.server.stop()


def test_minio_down_mid_batch(tmp_path: Path, postgres_server) -> None:
    server = MinioServer([tmp_path / "minio"])
    server.start()
    db = postgres_server.create_database()
    try:
        inst = make_instance(
            tmp_path / "instance",
            database_url=postgres_server.url(db),
            storage_url=server.url(new_bucket(), retries="1", connect_timeout="2"),
        )
        folder = tmp_path / "in"
        folder.mkdir()
        for i in range(5):
            samples.text_pdf(folder / f"doc{i}.pdf", pages=2, marker=f"Nr {i}")

        report = ingest.run([folder], inst, workers=1, progress=StopAfterFirst(server))
        outcomes = [f.outcome for f in report.files]
        assert outcomes[0] is Outcome.ACCEPTED
        assert outcomes[1:] == [Outcome.FAILED] * 4
        for f in report.files[1:]:
            assert f.reason.startswith("storage:")
            assert server.endpoint in f.reason and "unavailable" in f.reason
        assert not inst.config.quarantine_dir.exists() or not any(
            inst.config.quarantine_dir.iterdir()
        )  # a storage outage is not the files' fault
        with inst.db.session() as s:
            assert s.scalars(select(Document.original_name)).all() == ["doc0.pdf"]

        server.start()
        again = ingest.run([folder], inst, workers=1)
        assert [f.outcome for f in again.files] == [Outcome.DUPLICATE] + [Outcome.ACCEPTED] * 4
        with inst.db.session() as s:
            assert len(s.scalars(select(Document)).all()) == 5
            keys = set(s.scalars(select(Blob.storage_key)).all())
        assert {o.key for o in inst.store.list("blobs/")} == keys
        inst.close()
    finally:
        server.stop()
        postgres_server.drop_database(db)
