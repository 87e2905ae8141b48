"""IIIF Presentation 3.0 manifests: what a viewer needs to open a document page by page, behind
the document's permission check, one visit recorded per opening."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from docstore.models import AuditEvent, Page

from .conftest import GRANTED, OTHER, make_token


def _manifest_url(document_id: int) -> str:
    return f"/iiif/presentation/3/documents/{document_id}/manifest.json"


def _language_map(value) -> bool:
    return (
        isinstance(value, dict)
        and value
        and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(t, str) for t in v)
            for k, v in value.items()
        )
    )


def _views(archive) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "document.view")
        )


def test_a_manifest_paints_each_page_with_its_image_service(archive, client_as) -> None:
    client = client_as("citizen.active")
    doc = archive.documents[GRANTED][0]
    before = _views(archive)
    response = client.get(_manifest_url(doc))
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert before <= _views(archive) <= before + 1  # one visit (test_viewer.py counts them)
    m = response.json
    assert m["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert m["type"] == "Manifest" and m["id"].endswith(f"/documents/{doc}")
    assert _language_map(m["label"]) and _language_map(m["requiredStatement"]["value"])
    assert {"none": [GRANTED]} in [item["value"] for item in m["metadata"]]
    with archive.instance.db.session() as s:
        pages = s.scalars(select(Page).where(Page.document_id == doc).order_by(Page.number)).all()
        sizes = [(p.width_px, p.height_px) for p in pages]
    assert [(c["width"], c["height"]) for c in m["items"]] == sizes
    ids = [m["id"]]
    for number, canvas in enumerate(m["items"], 1):
        assert canvas["type"] == "Canvas" and canvas["label"]["de"] == [f"Seite {number}"]
        assert canvas["label"]["en"] == [f"Page {number}"]
        [annotation_page] = canvas["items"]
        [annotation] = annotation_page["items"]
        assert annotation["motivation"] == "painting" and annotation["target"] == canvas["id"]
        [service] = annotation["body"]["service"]
        assert service["type"] == "ImageService3"
        path = urlsplit(service["id"]).path
        info = client.get(f"{path}/info.json")  # the service a viewer then asks
        assert info.status_code == 200 and info.json["id"] == service["id"]
        ids += [canvas["id"], annotation_page["id"], annotation["id"]]
    assert len(ids) == len(set(ids))  # every resource its own id
    thumbnail = urlsplit(m["items"][0]["thumbnail"][0]["id"]).path
    assert client.get(thumbnail).status_code == 200


def test_no_manifest_without_the_document(archive, client_as) -> None:
    other_file = archive.documents[OTHER][0]
    unlisted = archive.documents[GRANTED][1]
    assert client_as("citizen.active").get(_manifest_url(other_file)).status_code == 404
    assert client_as("citizen.documents").get(_manifest_url(unlisted)).status_code == 404
    assert client_as("citizen.expired").get(_manifest_url(archive.documents[GRANTED][0])
                                            ).status_code == 404  # fmt: skip
    assert client_as("clerk").get(_manifest_url(other_file)).status_code == 200


def test_a_token_opens_the_manifest_and_its_search(app, archive) -> None:
    token = make_token(archive.instance, "citizen.active")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    doc = archive.documents[GRANTED][0]
    assert client.get(_manifest_url(doc), headers=headers).status_code == 200
    search = f"/iiif/presentation/3/documents/{doc}/search?q=Dachgaube"
    assert client.get(search, headers=headers).json["items"]
    assert client.get(_manifest_url(archive.documents[OTHER][0]), headers=headers
                      ).status_code == 404  # fmt: skip
