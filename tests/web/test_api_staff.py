"""The clerk's work through the API: upload with fields, status, assignment, edits, grants."""

from __future__ import annotations

import io

from sqlalchemy import select

from docstore.models import BuildingFile, Document, MailMessage, Role
from docstore.services import building_files, users
from docstore.services.actors import CONSOLE
from ingest import spool
from tests.ingest.samples import text_pdf

from .conftest import PASSWORD, make_token

AZ = "63-BA-2026-7777"


def _bearer(archive, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(archive.instance, name)}"}


def _pdf(tmp_path, name: str, marker: str) -> bytes:
    return text_pdf(tmp_path / name, pages=1, marker=marker).read_bytes()


def _upload(api, headers, files, **fields):
    data = {"files": [(io.BytesIO(b), n) for b, n in files], **fields}
    return api.post("/api/v1/uploads", data=data, headers=headers,
                    content_type="multipart/form-data")  # fmt: skip


def test_an_upload_with_manifest_fields_is_followed_to_its_document(archive, app, tmp_path):
    api, clerk = app.test_client(), _bearer(archive, "clerk")
    sent = _upload(api, clerk, [(_pdf(tmp_path, "a.pdf", "Brandwand Osten"), "brandwand.pdf")],
                   aktenzeichen=AZ, kind="statik", title="Brandwandnachweis",
                   date="1988-04-01")  # fmt: skip
    assert sent.status_code == 202, sent.get_json()
    body = sent.get_json()
    assert body["files"][0]["name"] == "brandwand.pdf" and body["files"][0]["outcome"] is None
    spool.process_pending(archive.instance)
    done = api.get(body["url"], headers=clerk).get_json()
    [file] = done["files"]
    assert file["outcome"] == "accepted" and file["document_url"].endswith(
        f"/documents/{file['document_id']}"
    )
    document = api.get(file["document_url"], headers=clerk).get_json()
    assert (document["kind"], document["title"], document["date"]) == (
        "statik", "Brandwandnachweis", "1988-04-01")  # fmt: skip
    with archive.instance.db.session() as s:
        bf = s.scalar(select(BuildingFile).where(BuildingFile.aktenzeichen == AZ))
        assert s.get(Document, file["document_id"]).building_file_id == bf.id


def test_uploads_refuse_clearly(archive, app, tmp_path):
    api = app.test_client()
    scan = [(_pdf(tmp_path, "b.pdf", "Kein Zutritt"), "b.pdf")]
    assert _upload(api, _bearer(archive, "citizen.active"), scan).status_code == 403
    assert _upload(api, _bearer(archive, "auditor"), scan).status_code == 403
    clerk = _bearer(archive, "clerk")
    both = api.post("/api/v1/uploads", headers=clerk, content_type="multipart/form-data", data={
        "files": [(io.BytesIO(scan[0][0]), "b.pdf")], "kind": "statik",
        "manifest": (io.BytesIO(b"file;kind\nb.pdf;statik\n"), "manifest.csv"),
    })  # fmt: skip
    assert both.status_code == 422 and "not both" in both.get_json()["message"]
    assert _upload(api, clerk, scan, kind="rakete").status_code == 422
    assert api.post("/api/v1/uploads", headers=clerk, data={}).status_code == 422
    assert api.get("/api/v1/uploads/999999", headers=clerk).status_code == 404


def test_inbox_assignment_and_metadata_edits(archive, app, tmp_path):
    api, clerk = app.test_client(), _bearer(archive, "clerk")
    sent = _upload(api, clerk, [(_pdf(tmp_path, "c.pdf", "Lose Seite"), "lose.pdf")])
    spool.process_pending(archive.instance)
    doc_id = api.get(sent.get_json()["url"], headers=clerk).get_json()["files"][0]["document_id"]
    with archive.instance.db.session() as s:
        assert s.get(Document, doc_id).building_file_id is None  # in the inbox
    _upload(api, clerk, [(_pdf(tmp_path, "d.pdf", "Akte anlegen"), "anlage.pdf")], aktenzeichen=AZ)
    spool.process_pending(archive.instance)
    url = f"/api/v1/documents/{doc_id}"
    wrong = api.put(f"{url}/assignment", json={"aktenzeichen": "63-BA-2026-777"}, headers=clerk)
    assert wrong.status_code == 422 and AZ in wrong.get_json()["message"]  # did you mean
    moved = api.put(f"{url}/assignment", json={"aktenzeichen": AZ.lower()}, headers=clerk)
    assert moved.status_code == 200 and moved.get_json()["building_file_id"] is not None
    edited = api.patch(f"{url}/metadata", json={"title": "Lageskizze", "kind": "lageplan"},
                       headers=clerk)  # fmt: skip
    assert edited.status_code == 200
    assert (edited.get_json()["title"], edited.get_json()["kind"]) == ("Lageskizze", "lageplan")
    for bad in ({"kind": "rakete"}, {"colour": "red"}, {"date": "31.01.2020"}):
        assert api.patch(f"{url}/metadata", json=bad, headers=clerk).status_code == 422, bad
    citizen = _bearer(archive, "citizen.active")
    assert api.patch(f"{url}/metadata", json={"title": "x"}, headers=citizen).status_code == 403
    assert api.put(f"{url}/assignment", json={"aktenzeichen": AZ},
                   headers=citizen).status_code == 403  # fmt: skip


def test_grants_need_an_explicit_end_and_revocation_tells_the_person(archive, app):
    with archive.instance.db.transaction() as s:
        users.create_user(s, "api.grantee", PASSWORD, Role.CITIZEN, actor=CONSOLE,
                          email="grantee@example.org")  # fmt: skip
        bf_id = s.scalar(select(BuildingFile.id).where(BuildingFile.aktenzeichen == AZ))
    if bf_id is None:  # this test alone: the file comes from an upload's manifest fields
        with archive.instance.db.transaction() as s:
            bf_id = building_files.create_building_file(s, AZ, actor=CONSOLE).id
    api, clerk = app.test_client(), _bearer(archive, "clerk")
    url = f"/api/v1/building-files/{bf_id}/grants"
    no_end = api.post(url, json={"user": "api.grantee"}, headers=clerk)
    assert no_end.status_code == 422 and "last_day" in str(no_end.get_json())
    both = api.post(url, json={"user": "api.grantee", "unlimited": True,
                               "last_day": "2030-01-31"}, headers=clerk)  # fmt: skip
    assert both.status_code == 422
    wanted = {"user": "GRANTEE@example.org", "first_day": "2026-01-05", "last_day": "2099-01-31",
              "kinds": ["statik"]}  # fmt: skip
    made = api.post(url, json=wanted, headers=clerk)
    assert made.status_code == 201, made.get_json()
    grant = made.get_json()
    assert (grant["user"], grant["first_day"], grant["last_day"]) == (
        "api.grantee", "2026-01-05", "2099-01-31")  # fmt: skip
    assert grant["kinds"] == ["statik"] and not grant["whole_file"]
    listed = api.get(url, headers=clerk).get_json()["items"]
    assert grant["id"] in [g["id"] for g in listed]
    assert api.get(url, headers=_bearer(archive, "citizen.active")).status_code == 403
    staff = api.post(url, json={"user": "auditor", "unlimited": True}, headers=clerk)
    assert staff.status_code == 400 and "staff" in staff.get_json()["message"]
    revoked = api.post(f"{url}/revocation", json={"user": "api.grantee", "reason": "erledigt"},
                       headers=clerk)  # fmt: skip
    assert revoked.status_code == 200 and revoked.get_json() == {"revoked": 1}
    with archive.instance.db.session() as s:
        sent = s.scalars(select(MailMessage).where(
            MailMessage.recipient == "grantee@example.org")).all()  # fmt: skip
    assert len(sent) == 1 and "erledigt" in sent[0].body
    nobody = api.post(f"{url}/revocation", json={"user": "nobody.here"}, headers=clerk)
    assert nobody.status_code == 404


def test_the_openapi_document_lists_the_staff_operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert "post" in paths["/api/v1/uploads"]
    assert "put" in paths["/api/v1/documents/{document_id}/assignment"]
    assert "patch" in paths["/api/v1/documents/{document_id}/metadata"]
    assert {"get", "post"} <= set(paths["/api/v1/building-files/{building_file_id}/grants"])
    assert "post" in paths["/api/v1/building-files/{building_file_id}/grants/revocation"]
