"""Input that once reached a 5xx: each answers 400/422 (or is kept in bounds) instead."""

from __future__ import annotations

import io
import json

import pytest

from ingest import spool
from tests.ingest.samples import text_pdf

from .conftest import GRANTED, csrf_token

HUGE = str(2**70)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1499-12-31", "3000-01-01"])
def test_far_dates_on_the_audit_filter(client_as, day) -> None:
    auditor = client_as("auditor")
    for field in ("since", "until"):
        response = auditor.get(f"/audit?{field}={day}")
        assert response.status_code == 400
        assert "1500" in response.text  # says which dates are allowed


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"],
)
def test_far_dates_on_the_api_audit_filter(archive, client_as, moment) -> None:
    auditor = client_as("auditor")
    for field in ("since", "until"):
        response = auditor.get("/api/v1/audit", query_string={field: moment})
        assert response.status_code == 422
        assert set(response.get_json()) >= {"code", "status", "message"}


def test_far_dates_on_the_grant_form(archive, client_as) -> None:
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    for field in ("valid_from", "valid_until"):
        response = clerk.post(
            url,
            data={
                "csrf_token": csrf_token(clerk.get(url).text),
                "username": "citizen.none",
                field: "9999-12-31",
            },
        )
        assert response.status_code == 400


def test_page_numbers_past_64_bits(archive, client_as) -> None:
    auditor = client_as("auditor")
    doc = archive.documents[GRANTED][0]
    for url in (
        f"/audit?page={HUGE}",
        f"/search?q=Dachgaube&page={HUGE}",
        f"/documents/{doc}?page={HUGE}",
    ):
        assert auditor.get(url).status_code == 200, url
    assert auditor.get(f"/documents/{doc}/pages/{HUGE}/thumb.jpg").status_code == 404
    assert auditor.get(f"/api/v1/audit?page={HUGE}").status_code == 422


def test_a_newline_in_next(app) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/language", data={"lang": "en", "csrf_token": token, "next": "/\r\nSet-Cookie: a=b"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/login?next=/%0d%0aX:%20y").status_code == 200


def _upload(client, files, manifest=None):
    data = {
        "csrf_token": csrf_token(client.get("/upload").text),
        "files": [(io.BytesIO(b), n) for b, n in files],
    }
    if manifest:
        data["manifest"] = (io.BytesIO(manifest[0]), manifest[1])
    return client.post("/upload", data=data, content_type="multipart/form-data")


def test_a_manifest_of_deeply_nested_brackets(client_as, tmp_path) -> None:
    pdf = text_pdf(tmp_path / "a.pdf", pages=1, marker="Verschachtelt").read_bytes()
    nested = b"[" * 100_000 + b"]" * 100_000
    response = _upload(client_as("clerk"), [(pdf, "a.pdf")], (nested, "manifest.json"))
    assert response.status_code == 400
    assert "manifest" in response.text


def test_an_upload_named_with_199_emoji(archive, client_as, tmp_path) -> None:
    name = "🏠" * 199 + ".pdf"
    pdf = text_pdf(tmp_path / "b.pdf", pages=1, marker="Emojihaus Dachrinne").read_bytes()
    response = _upload(client_as("clerk"), [(pdf, name)])
    assert response.status_code == 302
    spool.process_pending(archive.instance)
    status = client_as("clerk").get(response.headers["Location"] + "/status.json").get_json()
    assert [f["outcome"] for f in status["files"]] == ["accepted"]
    assert len(status["files"][0]["name"].encode()) <= 255


def test_a_safe_name_keeps_to_the_byte_limit() -> None:
    for original in ("é" * 300 + ".pdf", "🏠" * 199, "x" * 1000 + ".tiff", "\x00" * 5):
        name = spool.safe_name(original)
        assert 0 < len(name.encode()) <= spool.MAX_NAME
        json.dumps(name)  # still valid text: no half-cut character
