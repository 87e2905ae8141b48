"""The web app on PostgreSQL + MinIO: shared counters, images, ranges, uploads, the API.

The rest of the web suite runs on the embedded default; these are the paths
where the servers behave differently (PostgreSQL's upsert for the rate
counters, MinIO's ranged reads, the spool worker writing to S3).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest

from docstore.instance import Instance
from ingest import spool
from tests.conftest import new_bucket
from tests.ingest.samples import text_pdf
from tests.servers import MINIO_PASSWORD
from viewer.web import create_app

from .conftest import (
    GRANTED,
    MARKER,
    Archive,
    build_archive,
    csrf_token,
    make_token,
    signin,
    totp_code,
)


@pytest.fixture(scope="module")
def server_archive(tmp_path_factory, postgres_server, minio_server) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("web-servers")
    name = postgres_server.create_database()
    arc = build_archive(
        root / "instance",
        root / "batch",
        database_url=postgres_server.url(name),
        storage_url=minio_server.url(new_bucket()),
    )
    yield arc
    arc.instance.close()
    postgres_server.drop_database(name)


def test_lockout_is_shared_on_postgresql(server_archive) -> None:
    workers = [create_app(server_archive.instance, TESTING=True).test_client() for _ in range(2)]
    statuses = [signin(workers[i % 2], "citizen.none", f"wrong {i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert signin(workers[1], "citizen.none").status_code == 429


def test_images_downloads_and_api_on_minio(server_archive) -> None:
    app = create_app(server_archive.instance, TESTING=True)
    client = app.test_client()
    assert signin(client, "citizen.download").status_code == 302
    doc = server_archive.documents[GRANTED][0]
    image = client.get(f"/documents/{doc}/pages/2/image.jpg?w=400")
    assert image.status_code == 200 and image.data[:2] == b"\xff\xd8"
    whole = client.get(f"/documents/{doc}/download")
    part = client.get(f"/documents/{doc}/download", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole.data[100:200]
    token = make_token(server_archive.instance, "citizen.download")
    hits = app.test_client().get(
        f"/api/v1/search?q={MARKER}", headers={"Authorization": f"Bearer {token}"}
    )
    assert hits.status_code == 200 and hits.get_json()["total"] == 2


def test_a_store_that_refuses_the_credentials_answers_503_not_500(server_archive, caplog) -> None:
    """An operator's wrong (or revoked) key is an outage of the store for its readers: the
    clear page, the reason in the log; never a traceback page."""
    config = server_archive.instance.config
    wrong = config.storage_url.replace(f":{MINIO_PASSWORD}@", ":not-the-key@")
    assert wrong != config.storage_url
    refused = Instance(dataclasses.replace(config, values={**config.values, "storage_url": wrong}))
    try:
        client = create_app(refused, TESTING=True).test_client()
        assert signin(client, "citizen.download").status_code == 302
        doc = server_archive.documents[GRANTED][0]
        for path in (f"/documents/{doc}/download", f"/documents/{doc}/pages/3/image.jpg?w=400"):
            page = client.get(path)
            assert page.status_code == 503, (path, page.text[-600:])
            assert "Das Archiv ist gerade nicht erreichbar" in page.text
        assert any("refused the credentials" in r.getMessage() for r in caplog.records)
    finally:
        refused.close()


def test_upload_through_the_spool_into_minio(server_archive, tmp_path) -> None:
    app = create_app(server_archive.instance, TESTING=True)
    clerk = app.test_client()
    signin(clerk, "clerk", code=totp_code(server_archive.secrets["clerk"]))
    pdf = text_pdf(tmp_path / "x.pdf", pages=1, marker="Brandschutzkonzept Tiefgarage")
    page = clerk.get("/upload").text
    response = clerk.post(
        "/upload",
        content_type="multipart/form-data",
        data={"csrf_token": csrf_token(page), "files": [(io.BytesIO(pdf.read_bytes()), "bk.pdf")]},
    )
    assert response.status_code == 302
    spool.process_pending(server_archive.instance)
    status = clerk.get(response.headers["Location"] + "/status.json").get_json()
    assert [f["outcome"] for f in status["files"]] == ["accepted"]
    assert "1 Dokument gefunden" in clerk.get("/search?q=Tiefgarage").text


def test_bundid_sign_in_and_an_application_on_the_servers(server_archive, keycloak, tmp_path):
    """PostgreSQL's row locks and unique keys in the handshake, the proof stored in MinIO."""
    from docstore.identity_models import ExternalIdentity
    from tests.web.test_saml import _answer, with_saml

    saml = with_saml(server_archive.instance, keycloak, tmp_path)
    try:
        client = saml.app.test_client()
        answer = _answer(client)
        back = client.post("/saml/acs", data={"SAMLResponse": answer})
        assert client.get(back.headers["Location"]).status_code == 302
        assert client.post("/saml/acs", data={"SAMLResponse": answer}).status_code == 400
        stored = len(list(saml.instance.store.list("proofs/")))
        page = client.get("/applications/new")
        proof = text_pdf(tmp_path / "grundbuch.pdf", pages=1, marker="Grundbuchauszug")
        sent = client.post("/applications/new", content_type="multipart/form-data", data={
            "legitimation": "owner", "aktenzeichen": GRANTED, "purpose": "Verkauf",
            "csrf_token": csrf_token(page.text),
            "proofs": (io.BytesIO(proof.read_bytes()), "grundbuch.pdf")})  # fmt: skip
        assert sent.status_code == 302
        assert len(list(saml.instance.store.list("proofs/"))) == stored + 1  # in MinIO
        with saml.instance.db.session() as s:
            assert s.query(ExternalIdentity).count() == 1
    finally:
        saml.instance.close()
