from __future__ import annotations

import hashlib
import io

import pytest

from docstore.models import Blob
from docstore.services import fixity
from storage import FilesystemStore, open_store, original_key
from tests.conftest import new_bucket


def store_original(session, store, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    key = original_key(digest)
    store.put_stream(key, io.BytesIO(data))
    session.add(Blob(sha256=digest, size=len(data), mime_type="application/pdf", storage_key=key))
    session.flush()
    return digest


def test_fixity_on_filesystem(session, tmp_path) -> None:
    store = FilesystemStore(tmp_path / "objects")
    store.ensure_ready()
    good = store_original(session, store, b"good original")
    bad = store_original(session, store, b"will rot")
    gone = store_original(session, store, b"will vanish")
    assert fixity.verify_originals(session, store).ok

    (store.root / original_key(bad)).write_bytes(b"bit rot!")
    (store.root / original_key(gone)).unlink()
    report = fixity.verify_originals(session, store)
    assert (report.checked, report.missing, report.corrupt) == (3, [gone], [bad])
    assert good not in report.missing + report.corrupt


@pytest.mark.minio
def test_fixity_on_minio(session, minio_server) -> None:
    store = open_store(minio_server.url(new_bucket()))
    store.ensure_ready()
    bad = store_original(session, store, b"original on minio")
    gone = hashlib.sha256(b"never stored").hexdigest()
    session.add(Blob(sha256=gone, size=12, mime_type="image/png", storage_key=original_key(gone)))
    # damage behind the store's back, with the raw SDK
    store.client.put_object(store.bucket, original_key(bad), io.BytesIO(b"tampered"), 8)
    report = fixity.verify_originals(session, store)
    assert report.missing == [gone]
    assert report.corrupt == [bad]
